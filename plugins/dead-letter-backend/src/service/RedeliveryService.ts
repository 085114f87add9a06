import { RedeliverResult } from '@internal/plugin-dead-letter-common';
import { BrokerEnvironmentConfig } from '../config';
import { RedeliveryPublishers } from '../consumer/RedeliveryPublisher';
import { DeadLetterStore, Selection } from '../database/DeadLetterStore';

/** Rows locked and published per transaction by `redeliverNow`. */
const BATCH_SIZE = 200;

/**
 * The redelivery workflow, behind the HTTP API: which rows are published,
 * and when a row is archived (only after the broker confirmed and routed its
 * message). Authorization and audit are the router's.
 */
export class RedeliveryService {
  constructor(
    private readonly deps: {
      store: DeadLetterStore;
      publishers: RedeliveryPublishers;
    },
  ) {}

  /**
   * Redelivers a selection at once: batch by batch, each batch's rows
   * locked against other replicas (rows another replica holds are
   * skipped and, when selected by id, reported), published, and the
   * confirmed ones archived (reason `redelivered`, by `by`, a user entity
   * ref) in the same transaction.
   */
  async redeliverNow(
    env: BrokerEnvironmentConfig,
    selection: Selection,
    by: string | null = null,
  ): Promise<RedeliverResult> {
    const publisher = this.deps.publishers.for(env);
    let redelivered = 0;
    const failed: RedeliverResult['failed'] = [];
    const locked = new Set<string>();
    await this.deps.store.processLocked(
      env.name,
      selection,
      BATCH_SIZE,
      async rows => {
        rows.forEach(r => locked.add(r.id));
        const outcomes = await publisher.publish(rows.map(row => ({ row })));
        const ok: string[] = [];
        outcomes.forEach((outcome, i) => {
          if (outcome.status === 'confirmed') ok.push(rows[i].id);
          else failed.push({ id: rows[i].id, reason: outcome.detail });
        });
        redelivered += ok.length;
        return ok;
      },
      by,
    );
    if ('ids' in selection) {
      for (const id of selection.ids) {
        if (!locked.has(id)) {
          failed.push({
            id,
            reason: 'not found, or being redelivered by another request',
          });
        }
      }
    }
    return { redelivered, failed };
  }
}
