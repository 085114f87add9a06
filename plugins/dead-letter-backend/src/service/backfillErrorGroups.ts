import { LoggerService } from '@backstage/backend-plugin-api';
import { DeadLetterStore } from '../database/DeadLetterStore';

/**
 * Gives stored and archived messages stored without an error group (before
 * groups existed, or by a replica of an older version during a rollout)
 * their group, `batchSize` rows of each table at a time, until none is left
 * or `budgetMs` has passed (the next run continues). Returns how many.
 */
export async function backfillErrorGroups(options: {
  store: DeadLetterStore;
  logger: LoggerService;
  batchSize?: number;
  budgetMs?: number;
}): Promise<number> {
  const { store, logger, batchSize = 2_000, budgetMs = 60_000 } = options;
  const deadline = Date.now() + budgetMs;
  let filled = 0;
  for (;;) {
    const n = await store.fillErrorGroups(batchSize);
    filled += n;
    if (n === 0 || Date.now() > deadline) break;
  }
  if (filled > 0) logger.info(`Gave ${filled} dead letters their error group`);
  return filled;
}
