import {
  ANNOTATION_SOURCE_LOCATION,
  Entity,
  makeValidator,
} from '@backstage/catalog-model';
import { ShuttleProcessorConfig } from '../config';
import { ShuttleFile, ShuttleFileError, planName } from './parseShuttleYaml';

/** Annotations this module writes; other Lunar plugins read some of them. */
export const ANNOTATIONS = {
  /** The shuttle plan reference, verbatim (`false` for no plan). */
  plan: 'lunar.app/shuttle-plan',
  /** Service name in release-manager; read by the release-status plugin. */
  releaseManagerService: 'lunar.app/release-manager-service',
  /** `true` when the service asks the platform for an ingress. */
  ingress: 'lunar.app/ingress',
  /** vars.domain; the shared-entities provider turns it into a Domain. */
  domain: 'lunar.app/domain',
  /** Comma-separated RabbitMQ exchanges the service declares. */
  rabbitmqExchanges: 'lunar.app/rabbitmq-exchanges',
  /** Comma-separated RabbitMQ queues the service consumes. */
  rabbitmqQueues: 'lunar.app/rabbitmq-queues',
  projectSlug: 'github.com/project-slug',
  techdocsRef: 'backstage.io/techdocs-ref',
} as const;

/** What the processor learned about the repository around the shuttle.yaml. */
export interface RepositoryFacts {
  /** The repository (or folder) name: the fallback component name. */
  name: string;
  /** Where the repository's files are, as a `url:` or `file:` reference. */
  sourceLocation?: string;
  /** `org/repo` when the repository is on GitHub. */
  projectSlug?: string;
  /**
   * TechDocs reference when the repository has a mkdocs.yml next to its
   * shuttle.yaml: `dir:.` for URL locations; an absolute `dir:` for file
   * locations, whose managing location may be a glob.
   */
  techdocsRef?: string;
  /** The first OpenAPI file found at the configured paths. */
  apiDefinition?: { path: string; content: string };
}

const validator = makeValidator();

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() ? v.trim() : undefined;

const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(str).filter((s): s is string => !!s) : [];

function checkName(what: string, name: string): string {
  if (!validator.isValidEntityName(name)) {
    throw new ShuttleFileError(
      `${what} '${name}' is not a valid entity name (letters, digits, '-', '_' and '.', at most 63 characters, starting and ending with a letter or digit)`,
    );
  }
  return name;
}

/**
 * Turns a parsed shuttle.yaml and the facts about its repository into
 * catalog entities: the component, its database resource and its API.
 * Shared things (system, domain, broker, exchanges, queues) are referenced
 * here and emitted once by the shared-entities provider.
 */
export function shuttleToEntities(
  file: ShuttleFile,
  repo: RepositoryFacts,
  config: ShuttleProcessorConfig,
): Entity[] {
  const { vars } = file;
  const name = checkName(
    'component name',
    str(vars.service) ?? str(vars.pkg) ?? repo.name,
  );
  const squad = str(vars.squad);
  if (!squad) {
    throw new ShuttleFileError(
      "missing 'vars.squad': every repository needs an owning squad",
    );
  }
  const owner = `group:${checkName('owner', `${config.ownerPrefix}${squad}`)}`;
  const system = str(vars.system) && checkName('system', str(vars.system)!);
  const domain = str(vars.domain) && checkName('domain', str(vars.domain)!);

  const plan = planName(file.plan);
  const mapping = plan ? config.plans[plan] : undefined;
  let type = mapping?.type ?? str(vars.type) ?? 'service';
  if (plan === 'lw-shuttle-node-plan' && str(vars.type) === 'website') {
    type = 'website';
  }
  const tags = [...new Set([...(mapping?.tags ?? []), 'shuttle'])];

  const annotations: Record<string, string> = {
    [ANNOTATIONS.plan]: file.plan === false ? 'false' : file.plan,
    [ANNOTATIONS.releaseManagerService]: name,
  };
  if (repo.sourceLocation) {
    annotations[ANNOTATION_SOURCE_LOCATION] = repo.sourceLocation;
  }
  if (repo.projectSlug) annotations[ANNOTATIONS.projectSlug] = repo.projectSlug;
  if (repo.techdocsRef) annotations[ANNOTATIONS.techdocsRef] = repo.techdocsRef;
  if (vars.ingress === true) annotations[ANNOTATIONS.ingress] = 'true';
  if (domain) annotations[ANNOTATIONS.domain] = domain;

  const dependsOn: string[] = [];
  const entities: Entity[] = [];
  const common = {
    lifecycle: config.lifecycle,
    owner,
    ...(system && { system }),
  };

  if (vars.db === true) {
    const dbName = checkName('database resource', `${name}-db`);
    dependsOn.push(`resource:${dbName}`);
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: dbName,
        description: `PostgreSQL database of ${name}`,
        annotations: { [ANNOTATIONS.plan]: annotations[ANNOTATIONS.plan] },
      },
      spec: { type: 'database', owner, ...(system && { system }) },
    });
  }

  if (vars.rabbitmq !== undefined && vars.rabbitmq !== false) {
    dependsOn.push(`resource:${checkName('broker', config.broker)}`);
    const rabbit =
      typeof vars.rabbitmq === 'object' && vars.rabbitmq !== null
        ? (vars.rabbitmq as Record<string, unknown>)
        : {};
    const exchanges = list(rabbit.exchanges);
    const queues = list(rabbit.queues);
    for (const exchange of exchanges) {
      dependsOn.push(
        `resource:${checkName('exchange', `rabbitmq-exchange-${exchange}`)}`,
      );
    }
    for (const queue of queues) {
      dependsOn.push(
        `resource:${checkName('queue', `rabbitmq-queue-${queue}`)}`,
      );
    }
    if (exchanges.length)
      annotations[ANNOTATIONS.rabbitmqExchanges] = exchanges.join(',');
    if (queues.length)
      annotations[ANNOTATIONS.rabbitmqQueues] = queues.join(',');
  }

  const providesApis: string[] = [];
  if (repo.apiDefinition) {
    const apiName = checkName('API name', `${name}-http`);
    providesApis.push(`api:${apiName}`);
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'API',
      metadata: {
        name: apiName,
        description: `HTTP API of ${name} (${repo.apiDefinition.path})`,
        annotations: {
          ...(repo.sourceLocation && {
            [ANNOTATION_SOURCE_LOCATION]: repo.sourceLocation,
          }),
        },
        tags: ['openapi'],
      },
      spec: {
        type: 'openapi',
        ...common,
        definition: repo.apiDefinition.content,
      },
    });
  }

  const component: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      ...(str(vars.description) && { description: str(vars.description) }),
      annotations,
      tags,
    },
    spec: {
      type,
      ...common,
      ...(dependsOn.length && { dependsOn }),
      ...(providesApis.length && { providesApis }),
    },
  };
  return [component, ...entities];
}
