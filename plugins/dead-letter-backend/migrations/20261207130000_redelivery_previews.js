// @ts-check

/**
 * Redelivery previews (dry runs) and what they need:
 * - `error_group` on dead_letters and the archive: the error text
 *   normalised by errorGroup() of @internal/plugin-dead-letter-common,
 *   written when a message is stored, so a preview (and later alerts) can
 *   GROUP BY it in SQL. Rows stored before this migration are filled in by
 *   the scheduled task `dead-letter-error-groups` (partial indexes find
 *   them, 20261207130100), not here: the normaliser is TypeScript shared
 *   with the frontend.
 * - `dead_letter_redelivery_previews` and their items: the exact messages
 *   a dry run saw, so a job created with its token redelivers those and no
 *   others. A preview is used once and expires.
 * - On jobs: what became of the previewed set when the job was created.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  for (const table of ['dead_letters', 'dead_letter_archive']) {
    await knex.schema.alterTable(table, t => {
      t.text('error_group')
        .nullable()
        .comment(
          'The error text normalised (ids, numbers, times replaced) to group alike errors; null: no error, or not computed yet',
        );
    });
  }
  await knex.schema.createTable('dead_letter_redelivery_previews', t => {
    t.comment(
      'Dry runs of redelivery jobs; a job created with the token takes exactly these messages',
    );
    t.bigIncrements('id').comment('Surrogate key');
    t.string('token', 64)
      .notNullable()
      .unique()
      .comment('Random token handed to the person, used once');
    t.string('environment', 63)
      .notNullable()
      .comment('Configured environment name');
    t.text('created_by')
      .notNullable()
      .comment('User entity ref of who previewed; only they can use it');
    t.text('selection')
      .notNullable()
      .comment('JSON: the selection previewed (ids or filter)');
    t.integer('total').notNullable().comment('How many messages it saw');
    t.timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('When the preview was made');
    t.timestamp('expires_at', { useTz: true })
      .notNullable()
      .comment('After this the token is refused; the row is removed later');
  });
  await knex.schema.createTable('dead_letter_redelivery_preview_items', t => {
    t.comment('The dead letters a preview saw');
    t.bigInteger('preview_id')
      .notNullable()
      .comment('dead_letter_redelivery_previews.id');
    t.bigInteger('dead_letter_id')
      .notNullable()
      .comment('dead_letters.id of a previewed message');
    t.primary(['preview_id', 'dead_letter_id']);
  });
  await knex.schema.alterTable('dead_letter_redelivery_jobs', t => {
    t.integer('previewed')
      .nullable()
      .comment('Messages of the preview it was created from; null: none');
    t.integer('arrived_after_preview')
      .notNullable()
      .defaultTo(0)
      .comment(
        'Matching messages the preview had not seen, left alone by the job',
      );
    t.integer('gone_since_preview')
      .notNullable()
      .defaultTo(0)
      .comment(
        'Previewed messages deleted or taken by another job before it was created',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('dead_letter_redelivery_jobs', t => {
    t.dropColumn('previewed');
    t.dropColumn('arrived_after_preview');
    t.dropColumn('gone_since_preview');
  });
  await knex.schema.dropTable('dead_letter_redelivery_preview_items');
  await knex.schema.dropTable('dead_letter_redelivery_previews');
  for (const table of ['dead_letters', 'dead_letter_archive']) {
    await knex.schema.alterTable(table, t => {
      t.dropColumn('error_group');
    });
  }
};
