import { LoggerService } from '@backstage/backend-plugin-api';
import { DeadLetterStore } from '../database/DeadLetterStore';

/** What the retention purge needs of an environment. */
export interface RetentionEnvironment {
  name: string;
  retention: { days: number };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes each environment's messages dead-lettered more than its
 * retention ago, logs the counts and records the run for GET
 * /environments. An environment that fails is logged and the others still
 * run; the error is rethrown at the end so the scheduler sees the failure.
 */
export async function purgeExpired(options: {
  store: DeadLetterStore;
  environments: RetentionEnvironment[];
  logger: LoggerService;
  now?: Date;
  batchSize?: number;
}): Promise<Map<string, number>> {
  const { store, environments, logger } = options;
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 1000;
  const purged = new Map<string, number>();
  let failure: Error | undefined;
  for (const env of environments) {
    const cutoff = new Date(now.getTime() - env.retention.days * DAY_MS);
    try {
      const count = await store.purgeOlderThan(env.name, cutoff, batchSize);
      purged.set(env.name, count);
      await store.recordRetentionRun({
        environment: env.name,
        days: env.retention.days,
        lastRunAt: new Date().toISOString(),
        lastPurged: count,
      });
      logger.info(
        `Retention: purged ${count} dead letters of ${
          env.name
        } dead-lettered before ${cutoff.toISOString()} (${
          env.retention.days
        } days)`,
        { environment: env.name, purged: count, days: env.retention.days },
      );
    } catch (error) {
      failure = error as Error;
      logger.error(
        `Retention: purging ${env.name} failed; it is retried at the next run`,
        { environment: env.name, error: String(error) },
      );
    }
  }
  if (failure) throw failure;
  return purged;
}

/**
 * Deletes archived messages whose expiry (set when they were archived: the
 * environment's `archive.retentionDays`, capped by its message retention)
 * has passed, and logs how many. Plain batched deletes, so a run on two
 * replicas at once only splits the work.
 */
export async function purgeExpiredArchive(options: {
  store: DeadLetterStore;
  logger: LoggerService;
  now?: Date;
  batchSize?: number;
}): Promise<number> {
  const now = options.now ?? new Date();
  const purged = await options.store.purgeArchive(
    now,
    options.batchSize ?? 1000,
  );
  options.logger.info(
    `Archive retention: purged ${purged} archived dead letters that expired before ${now.toISOString()}`,
    { purged },
  );
  return purged;
}
