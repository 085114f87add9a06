// @ts-check

/**
 * The last retention purge per environment, so every replica reports it in
 * GET /environments whichever replica ran it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('dead_letter_retention_runs', table => {
    table.comment(
      'Last run of the retention purge per environment (one row each)',
    );
    table
      .string('environment', 63)
      .primary()
      .comment('Configured environment name');
    table
      .integer('days')
      .notNullable()
      .comment('Retention in days the run applied');
    table
      .timestamp('last_run_at', { useTz: true })
      .notNullable()
      .comment('When the last run finished');
    table
      .bigInteger('last_purged')
      .notNullable()
      .comment('Messages the last run deleted');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dead_letter_retention_runs');
};
