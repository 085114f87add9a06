// @ts-check

/**
 * Redelivery jobs pause themselves when too many of their messages are
 * dead-lettered again: how many were, and why a job was paused.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('dead_letter_redelivery_jobs', table => {
    table
      .integer('refailed')
      .notNullable()
      .defaultTo(0)
      .comment(
        'Messages of this job stored again as dead letters (carrying its job header), at most counted',
      );
    table
      .boolean('auto_pause')
      .notNullable()
      .defaultTo(true)
      .comment('Pause when too many fail again; off once a person resumed');
    table
      .text('paused_reason')
      .nullable()
      .comment('Why the job paused itself; null when a person paused it');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('dead_letter_redelivery_jobs', table => {
    table.dropColumn('refailed');
    table.dropColumn('auto_pause');
    table.dropColumn('paused_reason');
  });
};
