// @ts-check

/**
 * The services of a redelivery job's items, next to their squads, so a
 * service's page can list the jobs that touched it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('dead_letter_redelivery_jobs', table => {
    table
      .text('services')
      .notNullable()
      .defaultTo('[]')
      .comment("JSON array: the services of the job's items");
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('dead_letter_redelivery_jobs', table => {
    table.dropColumn('services');
  });
};
