// @ts-check

/**
 * Deleting is archiving: deleted and redelivered messages are moved here
 * (every column of dead_letters, copied in SQL so body, headers and
 * properties stay byte for byte what was stored) and can be restored into
 * dead_letters with the same id until they expire.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('dead_letter_archive', table => {
    table.comment(
      'Deleted and redelivered dead letters, restorable until expires_at',
    );
    table
      .bigInteger('id')
      .primary()
      .comment('The id the message had (and gets back) in dead_letters');
    table
      .string('dedup_key', 64)
      .notNullable()
      .comment(
        'dead_letters.dedup_key; not unique here: the same delivery may have been stored again meanwhile',
      );
    table
      .string('environment', 63)
      .notNullable()
      .comment('Configured environment name');
    table.text('queue').nullable().comment('dead_letters.queue');
    table.text('exchange').nullable().comment('dead_letters.exchange');
    table.text('routing_key').nullable().comment('dead_letters.routing_key');
    table
      .text('reason')
      .nullable()
      .comment('dead_letters.reason: why RabbitMQ dead-lettered it');
    table.text('service').nullable().comment('dead_letters.service');
    table.text('squad').nullable().comment('dead_letters.squad');
    table.text('message_id').nullable().comment('dead_letters.message_id');
    table
      .text('correlation_id')
      .nullable()
      .comment('dead_letters.correlation_id');
    table.text('error').nullable().comment('dead_letters.error');
    table
      .timestamp('dead_lettered_at', { useTz: true })
      .notNullable()
      .comment('dead_letters.dead_lettered_at');
    table
      .timestamp('received_at', { useTz: true })
      .notNullable()
      .comment('dead_letters.received_at');
    table
      .integer('redelivery_count')
      .notNullable()
      .comment('dead_letters.redelivery_count');
    table.json('headers').notNullable().comment('dead_letters.headers');
    table.json('properties').notNullable().comment('dead_letters.properties');
    table.binary('body').notNullable().comment('dead_letters.body');
    table.integer('body_size').notNullable().comment('dead_letters.body_size');
    table
      .boolean('body_truncated')
      .notNullable()
      .comment('dead_letters.body_truncated');
    table
      .timestamp('archived_at', { useTz: true })
      .notNullable()
      .comment('When it was moved here');
    table
      .text('archived_by')
      .nullable()
      .comment('User entity ref of who deleted or redelivered it');
    table
      .string('archive_reason', 16)
      .notNullable()
      .comment("Why it was moved here: 'deleted' or 'redelivered'");
    table
      .timestamp('expires_at', { useTz: true })
      .notNullable()
      .comment('When the archive purge removes it for good');

    table.index(
      ['environment', 'archived_at', 'id'],
      'dead_letter_archive_env_time_idx',
    );
    table.index(['expires_at'], 'dead_letter_archive_expires_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dead_letter_archive');
};
