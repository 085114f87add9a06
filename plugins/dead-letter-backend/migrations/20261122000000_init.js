// @ts-check

/**
 * Dead-lettered messages, one row per message, stored before the broker
 * delivery is acknowledged.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('dead_letters', table => {
    table.comment(
      'Dead-lettered RabbitMQ messages, stored before they are acked',
    );
    table.bigIncrements('id').primary().comment('Row id, also the API id');
    table
      .string('dedup_key', 64)
      .notNullable()
      .unique()
      .comment(
        'sha256 of environment, message id, x-death, properties and body: a redelivered delivery never makes a second row',
      );
    table
      .string('environment', 63)
      .notNullable()
      .comment('Configured environment name (dev, staging, prod, ...)');
    table
      .text('queue')
      .nullable()
      .comment('Queue of the first death (x-first-death-queue)');
    table
      .text('exchange')
      .nullable()
      .comment(
        'Exchange the message was first published to; empty is the default exchange',
      );
    table
      .text('routing_key')
      .nullable()
      .comment('First routing key of the first death');
    table
      .text('reason')
      .nullable()
      .comment(
        'Dead-letter reason of the first death: rejected, expired, maxlen, delivery_limit',
      );
    table
      .text('service')
      .nullable()
      .comment('Service derived from the queue name');
    table
      .text('squad')
      .nullable()
      .comment("Owner of the service's catalog component");
    table.text('message_id').nullable().comment('AMQP message-id property');
    table
      .text('correlation_id')
      .nullable()
      .comment('AMQP correlation-id property');
    table
      .text('error')
      .nullable()
      .comment(
        "Handler's error text from the configured header, else the reason",
      );
    table
      .timestamp('dead_lettered_at', { useTz: true })
      .notNullable()
      .comment('Time of the first death (x-death time)');
    table
      .timestamp('received_at', { useTz: true })
      .notNullable()
      .comment('When the portal stored the message');
    table
      .integer('redelivery_count')
      .notNullable()
      .defaultTo(0)
      .comment('Times the portal redelivered this message before');
    table
      .json('headers')
      .notNullable()
      .comment(
        'All AMQP headers, x-death included, as JSON (binary values as base64)',
      );
    table
      .json('properties')
      .notNullable()
      .comment('AMQP properties other than headers, as JSON');
    table.binary('body').notNullable().comment('Message body bytes');
    table
      .integer('body_size')
      .notNullable()
      .comment('Original body size in bytes');
    table
      .boolean('body_truncated')
      .notNullable()
      .defaultTo(false)
      .comment('Body was cut at the configured size limit');

    table.index(
      ['environment', 'dead_lettered_at', 'id'],
      'dead_letters_env_time_idx',
    );
    table.index(
      ['environment', 'squad', 'service'],
      'dead_letters_env_squad_service_idx',
    );
    table.index(
      ['environment', 'service', 'dead_lettered_at'],
      'dead_letters_env_service_time_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dead_letters');
};
