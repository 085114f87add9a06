import { Config } from '@backstage/config';

/** A broker connection and the dead-letter queue consumed through it. */
export interface AmqpSettings {
  url: string;
  /** The dead-letter queue the plugin consumes. */
  queue: string;
  /** Declare the queue (durable, quorum) when it does not exist. */
  declareQueue: boolean;
  /** Unacknowledged deliveries in flight. */
  prefetch: number;
}

/**
 * One environment: a broker's dead-letter queue (`amqp`), or, for a first
 * look without a broker, read-only sample messages from a file (`sample`).
 */
export interface EnvironmentConfig {
  name: string;
  amqp: AmqpSettings | null;
  sample: { fixture: string } | null;
  /** Messages stored per transaction. */
  batchSize: number;
  /** Longest wait for a batch to fill before it is stored. */
  batchWaitMs: number;
  /** Bodies longer than this are stored cut, and flagged. */
  maxBodyBytes: number;
  /** Logs link with {service}, {environment}, {time}, {from}, {to}, {messageId}. */
  logsUrlTemplate: string | null;
}

/** An environment whose dead letters come from a broker. */
export type BrokerEnvironmentConfig = EnvironmentConfig & {
  amqp: AmqpSettings;
};

export function hasBroker(
  env: EnvironmentConfig,
): env is BrokerEnvironmentConfig {
  return env.amqp !== null;
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
    const amqp = env.getOptionalConfig('amqp');
    const sample = env.getOptionalConfig('sample');
    if (!amqp === !sample) {
      throw new Error(
        `deadLetter.environments: '${name}' needs exactly one of 'amqp' (a broker) or 'sample' (a file of sample messages)`,
      );
    }
    return {
      name,
      amqp: amqp
        ? {
            url: amqp.getString('url'),
            queue: amqp.getOptionalString('queue') ?? 'dead-letters',
            declareQueue: amqp.getOptionalBoolean('declareQueue') ?? true,
            prefetch: amqp.getOptionalNumber('prefetch') ?? 1000,
          }
        : null,
      sample: sample ? { fixture: sample.getString('fixture') } : null,
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
