import {
  ANNOTATION_SOURCE_LOCATION,
  Entity,
  makeValidator,
} from '@backstage/catalog-model';
import {
  LUNAR_ANNOTATIONS,
  isDeadLetterAlertFloor,
  isDeadLetterAlertMultiplier,
  isDeadLetterAlertTime,
} from '@internal/plugin-lunar-common';
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
  deadLetterAlertFloor: LUNAR_ANNOTATIONS.deadLetterAlertFloor,
  deadLetterAlertMultiplier: LUNAR_ANNOTATIONS.deadLetterAlertMultiplier,
  deadLetterAlertMutedUntil: LUNAR_ANNOTATIONS.deadLetterAlertMutedUntil,
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

/** A wrong value as a person reading the file would name it: `the string 'yes'`. */
function describeValue(value: unknown): string {
  if (typeof value === 'string' && value !== '') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    return `the string '${shown}'`;
  }
  if (typeof value === 'number') return `the number ${value}`;
  return yamlTypeOf(value);
}

/** What a quoted `"true"` or a YAML 1.1 `yes` was meant to say. */
function meantBoolean(value: unknown): boolean | undefined {
  if (typeof value !== 'string') return undefined;
  if (/^(true|yes|y|on)$/i.test(value.trim())) return true;
  if (/^(false|no|n|off)$/i.test(value.trim())) return false;
  return undefined;
}

/**
 * vars.<key> as true or false: false when absent, an error naming the value
 * when it is anything but a YAML boolean (`db: "true"`, `db: yes`, which
 * YAML 1.2 reads as a string), never a silent false.
 */
function booleanVar(vars: Record<string, unknown>, key: string): boolean {
  const value = vars[key];
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  const meant = meantBoolean(value);
  throw new ShuttleFileError(
    `vars.${key} must be true or false, got ${describeValue(value)}${
      meant === undefined ? '' : ` (write ${key}: ${meant}, without quotes)`
    }`,
  );
}

/** vars.rabbitmq.<key>: a list of names, each a non-empty string. */
function nameList(rabbit: Record<string, unknown>, key: string): string[] {
  const value = rabbit[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    const hint = typeof value === 'string' ? ` (write ${key}: [${value}])` : '';
    throw new ShuttleFileError(
      `vars.rabbitmq.${key} must be a list of names, got ${describeValue(
        value,
      )}${hint}`,
    );
  }
  return value.map((item, i) => {
    const name = str(item);
    if (typeof item !== 'string' || !name) {
      throw new ShuttleFileError(
        `vars.rabbitmq.${key}[${i}] must be a name, got ${describeValue(item)}`,
      );
    }
    return name;
  });
}

/**
 * vars.rabbitmq: undefined when absent or false; the exchanges and queues
 * when it is true or a mapping; an error for anything else
 * (`rabbitmq: "false"` is not false).
 */
function rabbitmqVar(
  vars: Record<string, unknown>,
): { exchanges: string[]; queues: string[] } | undefined {
  const value = vars.rabbitmq;
  if (value === undefined || value === null || value === false) {
    return undefined;
  }
  if (value === true) return { exchanges: [], queues: [] };
  if (typeof value !== 'object' || Array.isArray(value)) {
    const meant = meantBoolean(value);
    throw new ShuttleFileError(
      `vars.rabbitmq must be true, false or a mapping with exchanges and queues, got ${describeValue(
        value,
      )}${
        meant === undefined ? '' : ` (write rabbitmq: ${meant}, without quotes)`
      }`,
    );
  }
  const rabbit = value as Record<string, unknown>;
  return {
    exchanges: nameList(rabbit, 'exchanges'),
    queues: nameList(rabbit, 'queues'),
  };
}

/**
 * vars.deadLetterAlerts: the service's own dead-letter alert settings
 * (`floor`: a whole number of messages per window, `multiplier`: at least
 * 1, `mutedUntil`: a time), each an annotation dead-letter-backend reads
 * over the environment's thresholds. Undefined when absent; any other key
 * or type is an error, so a typo never silently leaves the defaults.
 */
function deadLetterAlertsVar(vars: Record<string, unknown>) {
  const value = vars.deadLetterAlerts;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ShuttleFileError(
      `vars.deadLetterAlerts must be a mapping with floor, multiplier or mutedUntil, got ${describeValue(
        value,
      )}`,
    );
  }
  const settings = value as Record<string, unknown>;
  const known = ['floor', 'multiplier', 'mutedUntil'];
  for (const key of Object.keys(settings)) {
    if (!known.includes(key)) {
      throw new ShuttleFileError(
        `vars.deadLetterAlerts.${key} is not a setting (use ${known.join(
          ', ',
        )})`,
      );
    }
  }
  const { floor, multiplier, mutedUntil } = settings;
  if (
    floor !== undefined &&
    !(typeof floor === 'number' && isDeadLetterAlertFloor(floor))
  ) {
    throw new ShuttleFileError(
      `vars.deadLetterAlerts.floor must be a whole number of messages, got ${describeValue(
        floor,
      )}`,
    );
  }
  if (
    multiplier !== undefined &&
    !(typeof multiplier === 'number' && isDeadLetterAlertMultiplier(multiplier))
  ) {
    throw new ShuttleFileError(
      `vars.deadLetterAlerts.multiplier must be a number of at least 1, got ${describeValue(
        multiplier,
      )}`,
    );
  }
  // YAML 1.1 readers give a timestamp as a Date; 1.2 as a string.
  const muted =
    mutedUntil instanceof Date ? mutedUntil.toISOString() : mutedUntil;
  if (
    muted !== undefined &&
    !(typeof muted === 'string' && isDeadLetterAlertTime(muted))
  ) {
    throw new ShuttleFileError(
      `vars.deadLetterAlerts.mutedUntil must be a time such as 2026-12-24T08:00:00Z, got ${describeValue(
        muted,
      )}`,
    );
  }
  return {
    floor: floor as number | undefined,
    multiplier: multiplier as number | undefined,
    mutedUntil: muted as string | undefined,
  };
}

/**
 * Every var the mapping reads, checked for its type: a wrong type is the
 * location's error, whatever the plan, so it is never read as absent.
 */
function readVars(vars: Record<string, unknown>) {
  return {
    service: stringVar(vars, 'service'),
    pkg: stringVar(vars, 'pkg'),
    squad: stringVar(vars, 'squad'),
    system: stringVar(vars, 'system'),
    domain: stringVar(vars, 'domain'),
    description: stringVar(vars, 'description'),
    type: stringVar(vars, 'type'),
    db: booleanVar(vars, 'db'),
    ingress: booleanVar(vars, 'ingress'),
    rabbitmq: rabbitmqVar(vars),
    deadLetterAlerts: deadLetterAlertsVar(vars),
  };
}

type Vars = ReturnType<typeof readVars>;

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
  return !planMapping(file, config) && !str(file.vars.type);
}

/**
 * spec.type, in this order: the plan's mapping; vars.type; what the
 * repository contains (vars.pkg without vars.service: a library; an OpenAPI
 * file, a Dockerfile, or a database/ingress/RabbitMQ it asks the platform
 * for: a service); else the configured default (`other`).
 */
function inferType(
  file: ShuttleFile,
  vars: Vars,
  repo: RepositoryFacts,
  config: ShuttleProcessorConfig,
): { type: string; source: string } {
  const mapping = planMapping(file, config);
  if (mapping) {
    if (
      planName(file.plan) === 'lw-shuttle-node-plan' &&
      vars.type === 'website'
    )
      return { type: 'website', source: 'plan' };
    return { type: mapping.type, source: 'plan' };
  }
  if (vars.type) return { type: vars.type, source: 'vars.type' };
  if (vars.pkg && !vars.service)
    return { type: 'library', source: 'repository' };
  const asksPlatform = vars.db || vars.ingress || vars.rabbitmq !== undefined;
  if (repo.apiDefinition || repo.hasDockerfile || asksPlatform)
    return { type: 'service', source: 'repository' };
  return { type: config.defaultType, source: 'default' };
}

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
  const vars = readVars(file.vars);
  const name = checkName(
    'component name',
    vars.service ?? vars.pkg ?? repo.name,
  );
  const { squad, description } = vars;
  if (!squad) {
    throw new ShuttleFileError(
      "missing 'vars.squad': every repository needs an owning squad",
    );
  }
  const owner = `group:${checkName('owner', `${config.ownerPrefix}${squad}`)}`;
  const system = vars.system && checkName('system', vars.system);
  const domain = vars.domain && checkName('domain', vars.domain);

  const plan = planName(file.plan);
  const mapping = planMapping(file, config);
  const { type, source: typeSource } = inferType(file, vars, repo, config);
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
  if (vars.ingress) annotations[ANNOTATIONS.ingress] = 'true';
  if (domain) annotations[ANNOTATIONS.domain] = domain;
  const alerts = vars.deadLetterAlerts;
  if (alerts?.floor !== undefined) {
    annotations[ANNOTATIONS.deadLetterAlertFloor] = String(alerts.floor);
  }
  if (alerts?.multiplier !== undefined) {
    annotations[ANNOTATIONS.deadLetterAlertMultiplier] = String(
      alerts.multiplier,
    );
  }
  if (alerts?.mutedUntil !== undefined) {
    annotations[ANNOTATIONS.deadLetterAlertMutedUntil] = alerts.mutedUntil;
  }

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

  if (vars.db) {
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

  if (vars.rabbitmq) {
    dependsOn.push(`resource:${checkName('broker', config.broker)}`);
    const { exchanges, queues } = vars.rabbitmq;
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
 * else the configured platform owner. Its lifecycle is the one configured
 * for the plan (`catalog.shuttle.plans.<name>.lifecycle`), else the global
 * one.
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
      // The plan's lifecycle applies to the plan itself as to its users.
      lifecycle: config.plans[name]?.lifecycle ?? config.lifecycle,
      owner,
    },
  };
}
