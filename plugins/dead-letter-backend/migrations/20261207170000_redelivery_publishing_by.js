// @ts-check

/**
 * Who raised a redelivery job's publishing mark (`publishing_through`):
 * only that runner may lower it again, also once the job has no lease
 * holder (paused, cancelled, given back). Without it, a runner that lost
 * the lease and let go late could lower the mark below items the next
 * holder sent, and they would go again uncounted.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('dead_letter_redelivery_jobs', table => {
    table
      .text('publishing_by')
      .nullable()
      .comment('The runner that raised publishing_through');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('dead_letter_redelivery_jobs', table => {
    table.dropColumn('publishing_by');
  });
};
