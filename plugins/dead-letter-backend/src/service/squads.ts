import { AuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { SquadResolver } from '../consumer/DeadLetterConsumer';
import { DeadLetterStore } from '../database/DeadLetterStore';

/**
 * The catalog component of a service as dead letters name it: by name, in
 * the default namespace.
 */
export function serviceEntityRef(service: string): string {
  return `component:default/${service.toLocaleLowerCase('en-US')}`;
}

/** How long "the catalog does not know this service" is believed. */
const UNKNOWN_TTL_SECONDS = 10;

/**
 * Looks up the owner of each service's catalog component (by name, in the
 * default namespace) and caches the answer, so a burst of dead letters costs
 * one catalog call per new service, not one per message. Unknown services
 * are cached for at most 10 seconds.
 *
 * `onOwnerFound` hears of each service whose owner this resolver learns for
 * the first time or after the catalog did not know it: messages stored
 * before then (right after a start, while the catalog is still filling)
 * can be given their squad at once instead of at the next backfill.
 */
export function createSquadResolver(options: {
  catalog: CatalogService;
  auth: AuthService;
  ttlSeconds: number;
  onOwnerFound?: (service: string, squad: string) => void;
}): SquadResolver {
  const cache = new Map<string, { squad: string | null; expires: number }>();
  return async services => {
    const now = Date.now();
    const result = new Map<string, string | null>();
    const missing: string[] = [];
    for (const service of services) {
      const hit = cache.get(service);
      if (hit && hit.expires > now) result.set(service, hit.squad);
      else missing.push(service);
    }
    if (missing.length > 0) {
      const before = new Map(missing.map(s => [s, cache.get(s)?.squad]));
      const { items } = await options.catalog.getEntitiesByRefs(
        {
          entityRefs: missing.map(serviceEntityRef),
          fields: ['spec.owner'],
        },
        { credentials: await options.auth.getOwnServiceCredentials() },
      );
      missing.forEach((service, i) => {
        const owner = items[i]?.spec?.owner;
        let squad: string | null = null;
        if (typeof owner === 'string') {
          try {
            squad = parseEntityRef(owner, { defaultKind: 'group' }).name;
          } catch {
            squad = null;
          }
        }
        // A service the catalog does not know (yet: it may still be
        // filling after a start) is asked again sooner.
        const ttl = squad
          ? options.ttlSeconds
          : Math.min(options.ttlSeconds, UNKNOWN_TTL_SECONDS);
        cache.set(service, { squad, expires: now + ttl * 1000 });
        if (squad && !before.get(service))
          options.onOwnerFound?.(service, squad);
        result.set(service, squad);
      });
    }
    return result;
  };
}

/**
 * Gives the rows whose service had no owner when they were stored the squad
 * the catalog names now (stored, then returned), so a permission decision on
 * a message never rests on a squad that is only missing because the message
 * arrived before the catalog had its component.
 */
export async function fillMissingSquads<
  T extends { service: string | null; squad: string | null },
>(
  rows: Array<T | undefined>,
  deps: {
    resolveSquads: SquadResolver;
    store: Pick<DeadLetterStore, 'setSquad'>;
  },
): Promise<Array<T | undefined>> {
  const services = [
    ...new Set(
      rows.flatMap(r => (r && !r.squad && r.service ? [r.service] : [])),
    ),
  ];
  if (services.length === 0) return rows;
  const squads = await deps.resolveSquads(services);
  for (const [service, squad] of squads) {
    if (squad) await deps.store.setSquad(service, squad);
  }
  return rows.map(r =>
    r && !r.squad && r.service && squads.get(r.service)
      ? { ...r, squad: squads.get(r.service)! }
      : r,
  );
}
