import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  NotificationSeverity,
  notificationSeverities,
} from '@backstage/plugin-notifications-common';
import { MaskingRules, readMaskingRules } from './service/masking';

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
  /** What is masked in this environment's messages: plugin-wide rules plus its own. */
  masking: MaskingRules;
  /** Messages dead-lettered longer ago than this are purged. */
  retention: { days: number };
  /** Deleted and redelivered messages stay restorable this long (capped by `retention`). */
  archive: { retentionDays: number };
  /** Redelivery job rates in messages per second. */
  redelivery: RedeliveryRates;
}

/** A job's rate when none is asked for, and the most anyone may ask for. */
export interface RedeliveryRates {
  defaultRate: number;
  maxRate: number;
  /**
   * A running job pauses itself once at least `autoPauseMinimum` of its
   * messages were dead-lettered again and they are at least this share of
   * those it published; 0 turns it off.
   */
  autoPauseRatio: number;
  autoPauseMinimum: number;
}

export const DEFAULT_REDELIVERY_RATES: RedeliveryRates = {
  defaultRate: 100,
  maxRate: 1000,
  autoPauseRatio: 0.1,
  autoPauseMinimum: 20,
};

/** Reads `redelivery: { defaultRate, maxRate, autoPauseRatio, autoPauseMinimum }`, each falling back to `fallback`. */
export function readRedeliveryRates(
  where: string,
  config: Config | undefined,
  fallback: RedeliveryRates,
): RedeliveryRates {
  const rate = (key: 'defaultRate' | 'maxRate') => {
    const value = config?.getOptionalNumber(key) ?? fallback[key];
    if (!Number.isFinite(value) || value <= 0 || value > 100_000) {
      throw new Error(
        `${where}.${key}: must be a number of messages per second above 0, at most 100000`,
      );
    }
    return value;
  };
  const autoPauseRatio =
    config?.getOptionalNumber('autoPauseRatio') ?? fallback.autoPauseRatio;
  if (!(autoPauseRatio >= 0 && autoPauseRatio <= 1)) {
    throw new Error(
      `${where}.autoPauseRatio: must be a share from 0 (off) to 1`,
    );
  }
  const autoPauseMinimum =
    config?.getOptionalNumber('autoPauseMinimum') ?? fallback.autoPauseMinimum;
  if (!Number.isInteger(autoPauseMinimum) || autoPauseMinimum < 1) {
    throw new Error(
      `${where}.autoPauseMinimum: must be a whole number of messages, at least 1`,
    );
  }
  const rates = {
    defaultRate: rate('defaultRate'),
    maxRate: rate('maxRate'),
    autoPauseRatio,
    autoPauseMinimum,
  };
  if (rates.defaultRate > rates.maxRate) {
    throw new Error(
      `${where}.defaultRate: ${rates.defaultRate} is above maxRate ${rates.maxRate}`,
    );
  }
  return rates;
}

/** Who may read message content beyond the owning squad (group entity refs). */
export interface DeadLetterReaders {
  /** May read every message's content, masked. */
  groups: string[];
  /** May read every message's content unmasked. */
  unmaskedGroups: string[];
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
  /** Seconds a person's read decisions are reused (a PromiseCache in the router). */
  readDecisionCacheSeconds: number;
  readers: DeadLetterReaders;
}

export const DEFAULT_SERVICE_PATTERN = '(?:^|_)(?<service>[^_]+)$';

export const DEFAULT_MASKED_HEADERS = ['authorization'];
export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_ARCHIVE_RETENTION_DAYS = 14;

function readArchive(where: string, config: Config | undefined) {
  const days = config?.getOptionalNumber('retentionDays');
  if (days === undefined) return undefined;
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(
      `${where}.retentionDays: must be a whole number of days, at least 1`,
    );
  }
  return { retentionDays: days };
}

function readRetention(where: string, config: Config | undefined) {
  const days = config?.getOptionalNumber('days');
  if (days === undefined) return undefined;
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(
      `${where}.days: must be a whole number of days, at least 1`,
    );
  }
  return { days };
}

/** `platform` and `group:default/platform` both name group:default/platform. */
function groupRef(where: string, ref: string): string {
  let parsed;
  try {
    parsed = parseEntityRef(ref, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
  } catch {
    throw new Error(`${where}: '${ref}' is not an entity ref`);
  }
  if (parsed.kind.toLocaleLowerCase('en-US') !== 'group') {
    throw new Error(`${where}: '${ref}' is not a group`);
  }
  return stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
}

/**
 * Reads `deadLetter.readers`, shared by the plugin (to say who can read)
 * and the portal's permission policy (to grant it).
 */
export function readDeadLetterReaders(root: Config): DeadLetterReaders {
  const readers = root.getOptionalConfig('deadLetter.readers');
  const list = (key: string) =>
    (readers?.getOptionalStringArray(key) ?? []).map((r, i) =>
      groupRef(`deadLetter.readers.${key}[${i}]`, r),
    );
  return { groups: list('groups'), unmaskedGroups: list('unmaskedGroups') };
}

/** Reads `deadLetter`; see config.d.ts for defaults. */
export function readDeadLetterConfig(root: Config): DeadLetterConfig {
  const config = root.getOptionalConfig('deadLetter');
  const masking = config?.getOptionalConfig('masking');
  const pluginPaths = masking?.getOptionalStringArray('jsonPaths') ?? [];
  const pluginHeaders =
    masking?.getOptionalStringArray('headers') ?? DEFAULT_MASKED_HEADERS;
  const replacement = masking?.getOptionalString('replacement') ?? '***';
  // Checked once here too, so a bad plugin-wide path names its own key.
  readMaskingRules('deadLetter.masking', {
    jsonPaths: pluginPaths,
    headers: pluginHeaders,
    replacement,
  });
  const retention = readRetention(
    'deadLetter.retention',
    config?.getOptionalConfig('retention'),
  ) ?? { days: DEFAULT_RETENTION_DAYS };
  const archive = readArchive(
    'deadLetter.archive',
    config?.getOptionalConfig('archive'),
  ) ?? { retentionDays: DEFAULT_ARCHIVE_RETENTION_DAYS };
  const redelivery = readRedeliveryRates(
    'deadLetter.redelivery',
    config?.getOptionalConfig('redelivery'),
    DEFAULT_REDELIVERY_RATES,
  );
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
    const where = `deadLetter.environments[${name}]`;
    const own = env.getOptionalConfig('masking');
    const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
    return {
      name,
      amqp: amqp
        ? {
            url: amqp.getString('url'),
            queue: amqp.getOptionalString('queue') ?? 'dead-letters',
            declareQueue: amqp.getOptionalBoolean('declareQueue') ?? true,
            prefetch: readPrefetch(
              `${where}.amqp.prefetch`,
              amqp.getOptionalNumber('prefetch'),
            ),
          }
        : null,
      sample: sample ? { fixture: sample.getString('fixture') } : null,
      batchSize: env.getOptionalNumber('batchSize') ?? 500,
      batchWaitMs: env.getOptionalNumber('batchWaitMs') ?? 50,
      maxBodyBytes: env.getOptionalNumber('maxBodyBytes') ?? 16 * 1024 * 1024,
      logsUrlTemplate: env.getOptionalString('logsUrlTemplate') ?? null,
      masking: readMaskingRules(`${where}.masking`, {
        jsonPaths: union(
          pluginPaths,
          own?.getOptionalStringArray('jsonPaths') ?? [],
        ),
        headers: union(
          pluginHeaders,
          own?.getOptionalStringArray('headers') ?? [],
        ),
        replacement,
      }),
      retention:
        readRetention(
          `${where}.retention`,
          env.getOptionalConfig('retention'),
        ) ?? retention,
      archive:
        readArchive(`${where}.archive`, env.getOptionalConfig('archive')) ??
        archive,
      redelivery: readRedeliveryRates(
        `${where}.redelivery`,
        env.getOptionalConfig('redelivery'),
        redelivery,
      ),
    };
  });
  return {
    environments,
    servicePattern: new RegExp(
      config?.getOptionalString('servicePattern') ?? DEFAULT_SERVICE_PATTERN,
    ),
    errorHeader: config?.getOptionalString('errorHeader') ?? 'x-error',
    squadCacheSeconds: config?.getOptionalNumber('squadCacheSeconds') ?? 300,
    readDecisionCacheSeconds: readDecisionCacheSeconds(config),
    readers: readDeadLetterReaders(root),
  };
}

/**
 * The consumer pauses during a database outage by holding a full prefetch
 * window, so an unlimited window (0) cannot pause safely.
 */
function readPrefetch(where: string, value: number | undefined): number {
  const prefetch = value ?? 1000;
  if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > 65535)
    throw new Error(`${where}: must be a whole number from 1 to 65535`);
  return prefetch;
}

/** Reused decisions outlive a membership change by at most this much. */
function readDecisionCacheSeconds(config: Config | undefined): number {
  const seconds = config?.getOptionalNumber('readDecisionCacheSeconds') ?? 10;
  if (seconds < 1 || seconds > 300)
    throw new Error(
      'deadLetter.readDecisionCacheSeconds: must be from 1 to 300 seconds',
    );
  return seconds;
}

/** Who is told about a squad's dead letters, and how loudly. */
export interface NotificationSettings {
  /**
   * The group notified for messages whose squad is unknown (no owner in
   * the catalog, or a squad group the catalog does not have); null: such
   * messages notify nobody.
   */
  fallbackGroup: string | null;
  /** Severity of an environment's notifications. */
  severity: (environment: string) => NotificationSeverity;
}

/** `prod` and `*-prod` environments notify with high severity, others normal. */
export function defaultSeverity(environment: string): NotificationSeverity {
  return environment === 'prod' || environment.endsWith('-prod')
    ? 'high'
    : 'normal';
}

/**
 * Reads `deadLetter.notifications.fallbackGroup` and each environment's
 * `notifications.severity` (default: {@link defaultSeverity}).
 */
export function readNotificationSettings(root: Config): NotificationSettings {
  const config = root.getOptionalConfig('deadLetter');
  const fallback = config?.getOptionalString('notifications.fallbackGroup');
  const severities = new Map<string, NotificationSeverity>();
  for (const env of config?.getOptionalConfigArray('environments') ?? []) {
    const name = env.getString('name');
    const severity = env.getOptionalString('notifications.severity');
    if (severity === undefined) continue;
    if (!notificationSeverities.includes(severity as NotificationSeverity)) {
      throw new Error(
        `deadLetter.environments[${name}].notifications.severity: '${severity}' is not one of ${notificationSeverities.join(
          ', ',
        )}`,
      );
    }
    severities.set(name, severity as NotificationSeverity);
  }
  return {
    fallbackGroup: fallback
      ? groupRef('deadLetter.notifications.fallbackGroup', fallback)
      : null,
    severity: environment =>
      severities.get(environment) ?? defaultSeverity(environment),
  };
}

/** When a service's dead letters are a spike, per environment. */
export interface AlertThresholds {
  /** Messages in a window a spike must exceed whatever the baseline. */
  floor: number;
  /** How many times its baseline (the 7-day average per window) a spike must be. */
  multiplier: number;
}

/** The alert detection of one environment. */
export interface EnvironmentAlertSettings extends AlertThresholds {
  /** Whether the environment's dead letters are watched at all. */
  enabled: boolean;
  /** Length of the window counted, in minutes. */
  windowMinutes: number;
}

/** The alert detection: how often it runs, and each environment's settings. */
export interface AlertSettings {
  /** Seconds between two runs of an environment's detection task. */
  intervalSeconds: number;
  /** A release at most this many minutes before an incident's first failure is named as suspect. */
  releaseWindowMinutes: number;
  environment: (name: string) => EnvironmentAlertSettings;
}

export const DEFAULT_ALERT_SETTINGS: EnvironmentAlertSettings = {
  enabled: true,
  windowMinutes: 10,
  floor: 50,
  multiplier: 5,
};
export const DEFAULT_ALERT_INTERVAL_SECONDS = 60;
export const DEFAULT_RELEASE_WINDOW_MINUTES = 60;

function readEnvironmentAlerts(
  where: string,
  config: Config | undefined,
  fallback: EnvironmentAlertSettings,
): EnvironmentAlertSettings {
  const enabled = config?.getOptionalBoolean('enabled') ?? fallback.enabled;
  const windowMinutes =
    config?.getOptionalNumber('windowMinutes') ?? fallback.windowMinutes;
  if (!Number.isInteger(windowMinutes) || windowMinutes < 1) {
    throw new Error(
      `${where}.windowMinutes: must be a whole number of minutes, at least 1`,
    );
  }
  const floor = config?.getOptionalNumber('floor') ?? fallback.floor;
  if (!Number.isInteger(floor) || floor < 0) {
    throw new Error(
      `${where}.floor: must be a whole number of messages, at least 0`,
    );
  }
  const multiplier =
    config?.getOptionalNumber('multiplier') ?? fallback.multiplier;
  if (!Number.isFinite(multiplier) || multiplier < 1) {
    throw new Error(`${where}.multiplier: must be a number, at least 1`);
  }
  return { enabled, windowMinutes, floor, multiplier };
}

/**
 * Reads `deadLetter.alerts` and each environment's `alerts`, which
 * override it key by key; see config.d.ts for the defaults.
 */
export function readAlertSettings(root: Config): AlertSettings {
  const config = root.getOptionalConfig('deadLetter');
  const alerts = config?.getOptionalConfig('alerts');
  const intervalSeconds =
    alerts?.getOptionalNumber('intervalSeconds') ??
    DEFAULT_ALERT_INTERVAL_SECONDS;
  if (!Number.isInteger(intervalSeconds) || intervalSeconds < 10) {
    throw new Error(
      'deadLetter.alerts.intervalSeconds: must be a whole number of seconds, at least 10',
    );
  }
  const releaseWindowMinutes =
    alerts?.getOptionalNumber('releaseWindowMinutes') ??
    DEFAULT_RELEASE_WINDOW_MINUTES;
  if (!Number.isInteger(releaseWindowMinutes) || releaseWindowMinutes < 0) {
    throw new Error(
      'deadLetter.alerts.releaseWindowMinutes: must be a whole number of minutes, at least 0',
    );
  }
  const plugin = readEnvironmentAlerts(
    'deadLetter.alerts',
    alerts,
    DEFAULT_ALERT_SETTINGS,
  );
  const perEnvironment = new Map<string, EnvironmentAlertSettings>();
  for (const env of config?.getOptionalConfigArray('environments') ?? []) {
    const name = env.getString('name');
    perEnvironment.set(
      name,
      readEnvironmentAlerts(
        `deadLetter.environments[${name}].alerts`,
        env.getOptionalConfig('alerts'),
        plugin,
      ),
    );
  }
  return {
    intervalSeconds,
    releaseWindowMinutes,
    environment: name => perEnvironment.get(name) ?? plugin,
  };
}
