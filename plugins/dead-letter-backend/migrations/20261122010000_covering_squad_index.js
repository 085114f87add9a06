// @ts-check

/**
 * Indexes for the overviews at millions of rows, each an index-only scan:
 * a squad's service overview reads each service's oldest and newest message
 * (time in the index); the squad overview and the list's total count only
 * need the narrow (environment, squad) index.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('dead_letters', table => {
    table.index(
      ['environment', 'squad', 'service', 'dead_lettered_at'],
      'dead_letters_env_squad_service_time_idx',
    );
    table.index(['environment', 'squad'], 'dead_letters_env_squad_idx');
  });
  await knex.schema.alterTable('dead_letters', table => {
    table.dropIndex([], 'dead_letters_env_squad_service_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('dead_letters', table => {
    table.index(
      ['environment', 'squad', 'service'],
      'dead_letters_env_squad_service_idx',
    );
  });
  await knex.schema.alterTable('dead_letters', table => {
    table.dropIndex([], 'dead_letters_env_squad_service_time_idx');
    table.dropIndex([], 'dead_letters_env_squad_idx');
  });
};
