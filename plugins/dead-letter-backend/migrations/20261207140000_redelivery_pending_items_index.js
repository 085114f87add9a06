// @ts-check

/**
 * A partial index of the items a redelivery job still has to publish
 * (queued or publishing), in publishing order. The runner reads its next
 * items through it (`nextItems`: a job's pending items after a cursor, by
 * id, a read-ahead at a time), so each read costs its read-ahead, not the
 * whole remainder of the job; published and failed items leave it.
 *
 * Built CONCURRENTLY on PostgreSQL, outside a transaction, so running jobs
 * and new snapshots go on meanwhile.
 */
exports.config = { transaction: false };

const NAME = 'dead_letter_redelivery_items_pending_idx';

/** @param {import('knex').Knex} knex */
const isPostgres = knex => knex.client.config.client === 'pg';

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.raw(
    `create index ${
      isPostgres(knex) ? 'concurrently ' : ''
    }if not exists ?? on ?? (job_id, id) where state in ('queued', 'publishing')`,
    [NAME, 'dead_letter_redelivery_items'],
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw(
    `drop index ${isPostgres(knex) ? 'concurrently ' : ''}if exists ??`,
    [NAME],
  );
};
