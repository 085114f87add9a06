// @ts-check

/**
 * The alert detection counts archived (deleted, redelivered) messages with
 * the stored ones by their dead-lettered time, so that deleting messages
 * during an incident neither resolves it nor makes an old error group look
 * new. The archive had no index on that time.
 *
 * The archive may be large, so on PostgreSQL the index is built
 * CONCURRENTLY, outside a transaction: archiving goes on meanwhile.
 */
exports.config = { transaction: false };

const NAME = 'dead_letter_archive_env_service_time_idx';

/** @param {import('knex').Knex} knex */
const isPostgres = knex => knex.client.config.client === 'pg';

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.raw(
    `create index ${
      isPostgres(knex) ? 'concurrently ' : ''
    }if not exists ?? on dead_letter_archive (environment, service, dead_lettered_at)`,
    [NAME],
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw(
    `drop index ${isPostgres(knex) ? 'concurrently ' : ''}if exists ??`,
    [NAME],
  );
};
