// @ts-check

/**
 * A redelivery job's publishing mark, instead of marking each item
 * `publishing` before it is sent, and the owners of its messages, kept on
 * the job because items leave the table once published:
 *
 * - `publishing_through`: the runner raises it to the last item of a batch
 *   before sending the batch (one row updated per batch, not one per
 *   message). A `queued` item at or below it may have been sent without
 *   its confirm being recorded, exactly like a `publishing` item; it is
 *   lowered again for items that were marked but never sent.
 * - `owners`: the distinct squad and service pairs of the job's messages,
 *   written when it is created, for permission checks on the job.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('dead_letter_redelivery_jobs', table => {
    table
      .bigInteger('publishing_through')
      .nullable()
      .comment(
        'Items up to this id may have been sent without a recorded confirm',
      );
    table
      .text('owners')
      .nullable()
      .comment(
        'JSON array of the distinct {squad, service} of its messages; null: read the items',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('dead_letter_redelivery_jobs', table => {
    table.dropColumn('publishing_through');
    table.dropColumn('owners');
  });
};
