// @ts-check

/**
 * Redelivery jobs: a selection snapshotted into items when the job is
 * created, published at a rate by exactly one replica at a time (the lease
 * holder), with progress in the database so another replica can take over.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('dead_letter_redelivery_jobs', table => {
    table.comment(
      'Redelivery jobs: what to publish again, how fast, and how far it got',
    );
    table.bigIncrements('id').primary().comment('Job id, also the API id');
    table
      .string('environment', 63)
      .notNullable()
      .comment('Configured environment name');
    table
      .string('state', 16)
      .notNullable()
      .comment('queued, running, paused, cancelled, done or failed');
    table
      .text('created_by')
      .notNullable()
      .comment('Entity ref of the user who created the job');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('When the job was created');
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .comment('Last change of state or progress');
    table
      .timestamp('started_at', { useTz: true })
      .nullable()
      .comment('When a replica first ran it');
    table
      .timestamp('finished_at', { useTz: true })
      .nullable()
      .comment('When it was done, cancelled or failed');
    table
      .text('selection')
      .notNullable()
      .comment('JSON: the ids or the filter the user selected');
    table
      .text('squads')
      .notNullable()
      .comment('JSON array: the squads owning the items (null: no squad)');
    table
      .float('rate')
      .nullable()
      .comment('Target messages per second; null: as fast as confirmed');
    table
      .text('ramp')
      .nullable()
      .comment('JSON [{ rate, seconds }]: steps before the target rate');
    table
      .integer('total')
      .notNullable()
      .comment('Items snapshotted when the job was created');
    table
      .integer('published')
      .notNullable()
      .defaultTo(0)
      .comment('Items confirmed by the broker (their rows removed)');
    table
      .integer('failed')
      .notNullable()
      .defaultTo(0)
      .comment('Items that failed for good (see the items for why)');
    table
      .integer('duplicate_window')
      .notNullable()
      .defaultTo(0)
      .comment(
        'Items published again because a replica died between publish and its confirm being recorded',
      );
    table
      .float('current_rate')
      .notNullable()
      .defaultTo(0)
      .comment('Measured messages per second of the last batches');
    table
      .string('lease_owner', 128)
      .nullable()
      .comment('The replica running the job');
    table
      .timestamp('lease_expires_at', { useTz: true })
      .nullable()
      .comment('Another replica may take the job over after this');
    table.text('error').nullable().comment('Why the job failed');
    table.index(['environment', 'id'], 'dead_letter_redelivery_jobs_env_idx');
    table.index(['state'], 'dead_letter_redelivery_jobs_state_idx');
  });
  await knex.schema.createTable('dead_letter_redelivery_items', table => {
    table.comment(
      'One message of a redelivery job; its id is the stable redelivery id in the published header',
    );
    table.bigIncrements('id').primary().comment('Stable redelivery id');
    table
      .bigInteger('job_id')
      .notNullable()
      .references('id')
      .inTable('dead_letter_redelivery_jobs')
      .onDelete('CASCADE')
      .comment('The job');
    table
      .bigInteger('dead_letter_id')
      .notNullable()
      .comment('The stored message (removed once published)');
    table.text('squad').nullable().comment('Squad of the message at snapshot');
    table
      .text('service')
      .nullable()
      .comment('Service of the message at snapshot');
    table
      .string('state', 16)
      .notNullable()
      .comment(
        'queued, publishing (marked before publish), published or failed',
      );
    table
      .integer('attempts')
      .notNullable()
      .defaultTo(0)
      .comment('Times marked publishing');
    table
      .string('failure_reason', 32)
      .nullable()
      .comment('unroutable, refused, unknown-exchange, ...');
    table.text('failure_detail').nullable().comment('The failure in words');
    table
      .timestamp('published_at', { useTz: true })
      .nullable()
      .comment('When the broker confirmed it');
    table.index(
      ['job_id', 'state', 'id'],
      'dead_letter_redelivery_items_job_idx',
    );
    table.index(['dead_letter_id'], 'dead_letter_redelivery_items_row_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dead_letter_redelivery_items');
  await knex.schema.dropTable('dead_letter_redelivery_jobs');
};
