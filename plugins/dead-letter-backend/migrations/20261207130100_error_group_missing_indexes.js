// @ts-check

/**
 * Partial indexes of the rows still without an error group (stored before
 * 20261207130000, or by a replica of an older version during a rollout), in
 * the stored messages and in the archive: the scheduled task
 * `dead-letter-error-groups` finds them through these, and once every row
 * has its group they are empty, so its runs cost nothing.
 *
 * Every existing row matches when this runs, so on PostgreSQL the indexes
 * are built CONCURRENTLY, outside a transaction: storing messages (and
 * archiving them) goes on meanwhile instead of waiting for the build.
 */
exports.config = { transaction: false };

const INDEXES = [
  ['dead_letters', 'dead_letters_error_group_missing_idx'],
  ['dead_letter_archive', 'dead_letter_archive_error_group_missing_idx'],
];

/** @param {import('knex').Knex} knex */
const isPostgres = knex => knex.client.config.client === 'pg';

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  for (const [table, name] of INDEXES) {
    await knex.raw(
      `create index ${
        isPostgres(knex) ? 'concurrently ' : ''
      }if not exists ?? on ?? (id) where error_group is null and error is not null`,
      [name, table],
    );
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const [, name] of INDEXES) {
    await knex.raw(
      `drop index ${isPostgres(knex) ? 'concurrently ' : ''}if exists ??`,
      [name],
    );
  }
};
