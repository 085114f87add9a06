import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { ANNOTATIONS } from '@internal/plugin-shuttle-node';

/** Where the shared entities say they come from. */
export const SHARED_LOCATION = 'shuttle:shared-entities';

/** Settings for the shared entities. */
export interface SharedEntitiesOptions {
  /** Name of the broker resource components depend on. */
  broker: string;
  /** Owner of the broker resource. */
  brokerOwner: string;
  /** System and Domain names that exist elsewhere; not emitted again. */
  existing: { systems: Set<string>; domains: Set<string> };
}

/** The most common value; ties go to the alphabetically first. */
function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  )[0]?.[0];
}

const annotations = {
  'backstage.io/managed-by-location': SHARED_LOCATION,
  'backstage.io/managed-by-origin-location': SHARED_LOCATION,
};

const splitList = (v: string | undefined) =>
  v ? v.split(',').filter(Boolean) : [];

/**
 * Systems, domains and messaging resources that many repositories name but
 * none owns alone. They are derived from the components the shuttle
 * processor emitted, so each is emitted exactly once, with the most common
 * owner among the components that name it.
 */
export function sharedEntitiesFrom(
  components: Entity[],
  options: SharedEntitiesOptions,
): Entity[] {
  const systems = new Map<string, { owners: string[]; domains: string[] }>();
  const domains = new Map<string, string[]>();
  const exchanges = new Map<string, string[]>();
  const queues = new Map<string, string[]>();
  let brokerUsed = false;

  const add = (map: Map<string, string[]>, key: string, owner: string) =>
    map.set(key, [...(map.get(key) ?? []), owner]);

  for (const component of components) {
    const owner = String(component.spec?.owner ?? '');
    if (!owner) continue;
    const a = component.metadata.annotations ?? {};
    const system = component.spec?.system as string | undefined;
    const domain = a[ANNOTATIONS.domain];
    if (system) {
      const s = systems.get(system) ?? { owners: [], domains: [] };
      s.owners.push(owner);
      if (domain) s.domains.push(domain);
      systems.set(system, s);
    }
    if (domain) add(domains, domain, owner);
    for (const e of splitList(a[ANNOTATIONS.rabbitmqExchanges]))
      add(exchanges, e, owner);
    for (const q of splitList(a[ANNOTATIONS.rabbitmqQueues]))
      add(queues, q, owner);
    const deps = (component.spec?.dependsOn as string[] | undefined) ?? [];
    if (
      deps.some(
        d =>
          parseEntityRef(d, { defaultKind: 'resource' }).name ===
          options.broker,
      )
    ) {
      brokerUsed = true;
    }
  }

  const entities: Entity[] = [];
  for (const [name, s] of [...systems].sort()) {
    if (options.existing.systems.has(name)) continue;
    const domain = mostCommon(s.domains);
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name, annotations },
      spec: { owner: mostCommon(s.owners)!, ...(domain && { domain }) },
    });
  }
  for (const [name, owners] of [...domains].sort()) {
    if (options.existing.domains.has(name)) continue;
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Domain',
      metadata: { name, annotations },
      spec: { owner: mostCommon(owners)! },
    });
  }
  if (brokerUsed || exchanges.size || queues.size) {
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: options.broker,
        description: 'The shared RabbitMQ broker',
        annotations,
      },
      spec: { type: 'message-broker', owner: options.brokerOwner },
    });
  }
  const messaging = (
    map: Map<string, string[]>,
    prefix: string,
    type: string,
  ) => {
    for (const [name, owners] of [...map].sort()) {
      entities.push({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: `${prefix}${name}`, title: name, annotations },
        spec: {
          type,
          owner: mostCommon(owners)!,
          dependsOn: [`resource:${options.broker}`],
        },
      });
    }
  };
  messaging(exchanges, 'rabbitmq-exchange-', 'rabbitmq-exchange');
  messaging(queues, 'rabbitmq-queue-', 'rabbitmq-queue');
  return entities;
}
