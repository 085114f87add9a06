import { Config } from '@backstage/config';

/** One environment's broker connection and queue. */
export interface EnvironmentConfig {
  name: string;
  amqp: {
    url: string;
    /** The dead-letter queue the plugin consumes. */
    queue: string;
    /** Declare the queue (durable, quorum) when it does not exist. */
    declareQueue: boolean;
    /** Unacknowledged deliveries in flight. */
    prefetch: number;
  };
  /** Messages stored per transaction. */
  batchSize: number;
  /** Longest wait for a batch to fill before it is stored. */
  batchWaitMs: number;
  /** Bodies longer than this are stored cut, and flagged. */
  maxBodyBytes: number;
  /** Logs link with {service}, {environment}, {time}, {from}, {to}, {messageId}. */
  logsUrlTemplate: string | null;
}

/** How messages map to services, squads and errors. */
export interface DeadLetterConfig {
  environments: EnvironmentConfig[];
  /** Regular expression on the first-death queue; its `service` group (or the whole match) is the service. */
  servicePattern: RegExp;
  /** Header carrying the handler's error text. */
  errorHeader: string;
  /** Seconds a catalog lookup of a service's squad is cached. */
  squadCacheSeconds: number;
}

export const DEFAULT_SERVICE_PATTERN = '(?:^|_)(?<service>[^_]+)$';

/** Reads `deadLetter`; see config.d.ts for defaults. */
export function readDeadLetterConfig(root: Config): DeadLetterConfig {
  const config = root.getOptionalConfig('deadLetter');
  const names = new Set<string>();
  const environments = (
    config?.getOptionalConfigArray('environments') ?? []
  ).map(env => {
    const name = env.getString('name');
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) {
      throw new Error(
        `deadLetter.environments: '${name}' is not a valid environment name (lowercase letters, digits and '-')`,
      );
    }
    if (names.has(name)) {
      throw new Error(`deadLetter.environments: '${name}' is configured twice`);
    }
    names.add(name);
    const amqp = env.getConfig('amqp');
    return {
      name,
      amqp: {
        url: amqp.getString('url'),
        queue: amqp.getOptionalString('queue') ?? 'dead-letters',
        declareQueue: amqp.getOptionalBoolean('declareQueue') ?? true,
        prefetch: amqp.getOptionalNumber('prefetch') ?? 1000,
      },
      batchSize: env.getOptionalNumber('batchSize') ?? 500,
      batchWaitMs: env.getOptionalNumber('batchWaitMs') ?? 50,
      maxBodyBytes: env.getOptionalNumber('maxBodyBytes') ?? 16 * 1024 * 1024,
      logsUrlTemplate: env.getOptionalString('logsUrlTemplate') ?? null,
    };
  });
  return {
    environments,
    servicePattern: new RegExp(
      config?.getOptionalString('servicePattern') ?? DEFAULT_SERVICE_PATTERN,
    ),
    errorHeader: config?.getOptionalString('errorHeader') ?? 'x-error',
    squadCacheSeconds: config?.getOptionalNumber('squadCacheSeconds') ?? 300,
  };
}
