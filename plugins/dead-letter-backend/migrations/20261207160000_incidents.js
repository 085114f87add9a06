// @ts-check

/**
 * On-call incidents: one row per (environment, service, kind, error group),
 * holding the state the detection task (src/service/IncidentDetector.ts)
 * needs so that each incident is notified once, updated as it grows and
 * when it resolves, whichever replica runs the task. A row is reopened
 * when the same incident starts again.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('dead_letter_incidents', table => {
    table.comment(
      'Dead-letter spikes and new error groups per environment and service, with what was notified',
    );
    table.bigIncrements('id').comment('Surrogate key');
    table
      .string('environment', 63)
      .notNullable()
      .comment('Configured environment name');
    table.text('service').notNullable().comment('The service of the messages');
    table
      .string('kind', 16)
      .notNullable()
      .comment(
        "'spike' (rate above threshold) or 'error-group' (new error group)",
      );
    table
      .text('error_group')
      .notNullable()
      .comment(
        "The normalised error group of an 'error-group' incident; '' for a spike",
      );
    table.string('state', 16).notNullable().comment("'open' or 'resolved'");
    table
      .text('squad')
      .nullable()
      .comment(
        'Owning squad when last evaluated (catalog owner); null: unknown',
      );
    table
      .timestamp('first_seen_at', { useTz: true })
      .notNullable()
      .comment('First message of the incident (dead-lettered time)');
    table
      .timestamp('last_seen_at', { useTz: true })
      .notNullable()
      .comment('Latest message of the incident seen by the detection');
    table
      .timestamp('opened_at', { useTz: true })
      .notNullable()
      .comment('When the detection opened (or reopened) the incident');
    table
      .timestamp('resolved_at', { useTz: true })
      .nullable()
      .comment(
        'When the detection found it back under its threshold; null while open',
      );
    table
      .integer('window_count')
      .notNullable()
      .comment('Messages in the latest alert window');
    table
      .integer('peak_count')
      .notNullable()
      .comment('Most messages in one alert window since opened');
    table
      .bigInteger('total')
      .notNullable()
      .comment('Messages since first_seen_at');
    table
      .double('baseline')
      .notNullable()
      .comment(
        'Average messages per alert window over the 7 days before (spikes; 0 for error groups)',
      );
    table
      .double('threshold')
      .notNullable()
      .comment('The count the window had to exceed when last evaluated');
    table
      .string('notified_state', 16)
      .nullable()
      .comment(
        "What the last notification said: 'open' or 'resolved'; null: none sent yet",
      );
    table
      .bigInteger('notified_count')
      .notNullable()
      .defaultTo(0)
      .comment(
        'The count the last notification reported (an update is sent when it doubles)',
      );
    table
      .integer('version')
      .notNullable()
      .defaultTo(0)
      .comment(
        'Bumped by every change: concurrent detections change a row once',
      );
    table.unique(['environment', 'service', 'kind', 'error_group'], {
      indexName: 'dead_letter_incidents_key_idx',
    });
    table.index(['environment', 'state'], 'dead_letter_incidents_state_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dead_letter_incidents');
};
