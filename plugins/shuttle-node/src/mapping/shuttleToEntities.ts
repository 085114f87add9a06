import {
  ANNOTATION_SOURCE_LOCATION,
  Entity,
  makeValidator,
} from '@backstage/catalog-model';
import { LUNAR_ANNOTATIONS } from '@internal/plugin-lunar-common';
import { ShuttleProcessorConfig } from '../config';
import {
  ShuttleFile,
  ShuttleFileError,
  ShuttlePlanFile,
  planName,
  planRef,
  yamlTypeOf,
} from './parseShuttleYaml';

/**
 * Annotations this module writes: Lunar's own (named in
 * @internal/plugin-lunar-common, where the other plugins read them) and two
 * of Backstage's.
 */
export const ANNOTATIONS = {
  plan: LUNAR_ANNOTATIONS.shuttlePlan,
  planName: LUNAR_ANNOTATIONS.shuttlePlanName,
  planRef: LUNAR_ANNOTATIONS.shuttlePlanRef,
  unknownOwner: LUNAR_ANNOTATIONS.unknownOwner,
  typeSource: LUNAR_ANNOTATIONS.shuttleTypeSource,
  releaseManagerService: LUNAR_ANNOTATIONS.releaseManagerService,
  ingress: LUNAR_ANNOTATIONS.ingress,
  domain: LUNAR_ANNOTATIONS.domain,
  rabbitmqExchanges: LUNAR_ANNOTATIONS.rabbitmqExchanges,
  rabbitmqQueues: LUNAR_ANNOTATIONS.rabbitmqQueues,
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
  /** A Dockerfile next to shuttle.yaml (read only when the plan says nothing). */
  hasDockerfile?: boolean;
}

/** The type of component shuttle.yaml is a plan file of. */
export const PLAN_COMPONENT_TYPE = 'shuttle-plan';

const validator = makeValidator();

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() ? v.trim() : undefined;

/**
 * vars.<key> as a string: undefined when absent or empty, an error naming
 * the type when it is something else (`squad: 7`), never a silent fallback.
 */
function stringVar(
  vars: Record<string, unknown>,
  key: string,
): string | undefined {
  const value = vars[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    const hint =
      typeof value === 'number' || typeof value === 'boolean'
        ? ` (quote it: ${key}: "${String(value)}")`
        : '';
    throw new ShuttleFileError(
      `vars.${key} must be a string, got ${yamlTypeOf(value)}${hint}`,
    );
  }
  return str(value);
}

/** The plan's entry in the mapping table, if the plan is in it. */
export function planMapping(file: ShuttleFile, config: ShuttleProcessorConfig) {
  const plan = planName(file.plan);
  return plan ? config.plans[plan] : undefined;
}

/**
 * True when neither the plan nor vars say what the repository is, so its
 * contents decide (the parser then looks for a Dockerfile).
 */
export function typeNeedsRepositoryContents(
  file: ShuttleFile,
  config: ShuttleProcessorConfig,
): boolean {
  return !planMapping(file, config) && typeof file.vars.type !== 'string';
}

/**
 * spec.type, in this order: the plan's mapping; vars.type; what the
 * repository contains (vars.pkg without vars.service: a library; an OpenAPI
 * file, a Dockerfile, or a database/ingress/RabbitMQ it asks the platform
 * for: a service); else the configured default (`other`).
 */
function inferType(
  file: ShuttleFile,
  repo: RepositoryFacts,
  config: ShuttleProcessorConfig,
): { type: string; source: string } {
  const { vars } = file;
  const varsType = stringVar(vars, 'type');
  const mapping = planMapping(file, config);
  if (mapping) {
    if (
      planName(file.plan) === 'lw-shuttle-node-plan' &&
      varsType === 'website'
    )
      return { type: 'website', source: 'plan' };
    return { type: mapping.type, source: 'plan' };
  }
  if (varsType) return { type: varsType, source: 'vars.type' };
  if (vars.pkg !== undefined && vars.service === undefined)
    return { type: 'library', source: 'repository' };
  const asksPlatform =
    vars.db === true ||
    vars.ingress === true ||
    (vars.rabbitmq !== undefined && vars.rabbitmq !== false);
  if (repo.apiDefinition || repo.hasDockerfile || asksPlatform)
    return { type: 'service', source: 'repository' };
  return { type: config.defaultType, source: 'default' };
}

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
    stringVar(vars, 'service') ?? stringVar(vars, 'pkg') ?? repo.name,
  );
  const squad = stringVar(vars, 'squad');
  if (!squad) {
    throw new ShuttleFileError(
      "missing 'vars.squad': every repository needs an owning squad",
    );
  }
  const owner = `group:${checkName('owner', `${config.ownerPrefix}${squad}`)}`;
  const systemVar = stringVar(vars, 'system');
  const domainVar = stringVar(vars, 'domain');
  const description = stringVar(vars, 'description');
  const system = systemVar && checkName('system', systemVar);
  const domain = domainVar && checkName('domain', domainVar);

  const plan = planName(file.plan);
  const mapping = planMapping(file, config);
  const { type, source: typeSource } = inferType(file, repo, config);
  const tags = [...new Set([...(mapping?.tags ?? []), 'shuttle'])];

  const annotations: Record<string, string> = {
    [ANNOTATIONS.plan]: file.plan === false ? 'false' : file.plan,
    [ANNOTATIONS.releaseManagerService]: name,
    [ANNOTATIONS.typeSource]: typeSource,
  };
  const ref = planRef(file.plan);
  if (plan) annotations[ANNOTATIONS.planName] = plan;
  if (ref) annotations[ANNOTATIONS.planRef] = ref;
  if (repo.sourceLocation) {
    annotations[ANNOTATION_SOURCE_LOCATION] = repo.sourceLocation;
  }
  if (repo.projectSlug) annotations[ANNOTATIONS.projectSlug] = repo.projectSlug;
  if (repo.techdocsRef) annotations[ANNOTATIONS.techdocsRef] = repo.techdocsRef;
  if (vars.ingress === true) annotations[ANNOTATIONS.ingress] = 'true';
  if (domain) annotations[ANNOTATIONS.domain] = domain;

  const dependsOn: string[] = [];
  // Every component depends on its plan, a component of type shuttle-plan
  // emitted from the plan repository's plan.yaml.
  if (plan && validator.isValidEntityName(plan)) {
    dependsOn.push(`component:${plan}`);
  }
  const entities: Entity[] = [];
  const common = {
    lifecycle: mapping?.lifecycle ?? config.lifecycle,
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
      ...(description && { description }),
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

/**
 * A plan.yaml as a component of type `shuttle-plan`, named after its
 * repository (the name components reference it by). Its owner is the squad
 * of the plan repository's own shuttle.yaml, else the plan's vars.squad,
 * else the configured platform owner.
 */
export function planToEntity(
  plan: ShuttlePlanFile,
  repo: RepositoryFacts & { squad?: string },
  config: ShuttleProcessorConfig,
): Entity {
  const name = checkName('plan name', repo.name);
  const squad = repo.squad ?? stringVar(plan.vars, 'squad');
  const owner = squad
    ? `group:${checkName('owner', `${config.ownerPrefix}${squad}`)}`
    : config.planOwner;
  const annotations: Record<string, string> = {};
  if (repo.sourceLocation) {
    annotations[ANNOTATION_SOURCE_LOCATION] = repo.sourceLocation;
  }
  if (repo.projectSlug) annotations[ANNOTATIONS.projectSlug] = repo.projectSlug;
  if (repo.techdocsRef) annotations[ANNOTATIONS.techdocsRef] = repo.techdocsRef;
  const scripts = Object.keys(plan.scripts).sort();
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      description: `Shuttle plan with ${scripts.length} script${
        scripts.length === 1 ? '' : 's'
      }${scripts.length ? `: ${scripts.join(', ')}` : ''}`,
      annotations,
      tags: ['shuttle', 'shuttle-plan'],
      ...(plan.documentation && {
        links: [{ url: plan.documentation, title: 'Plan documentation' }],
      }),
    },
    spec: {
      type: PLAN_COMPONENT_TYPE,
      lifecycle: config.lifecycle,
      owner,
    },
  };
}
