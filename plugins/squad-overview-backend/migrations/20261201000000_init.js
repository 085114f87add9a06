// @ts-check

/**
 * The squad pulse: what happened to a squad's services (catalog changes,
 * release-manager's release events), and the catalog snapshot that catalog
 * changes are found against.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('pulse_events', table => {
    table.comment('Entries of the squad pulse feeds, newest read first');
    table.bigIncrements('id').primary().comment('Row id, also the API id');
    table
      .string('dedup_key', 64)
      .notNullable()
      .unique()
      .comment(
        'sha256 of what identifies the event: a redelivered AMQP event or a repeated catalog scan never makes a second row',
      );
    table
      .string('kind', 32)
      .notNullable()
      .comment(
        'service-added, service-removed, owner-changed, released, release-succeeded, release-failed, new-artifact, unreadable',
      );
    table
      .dateTime('occurred_at', { precision: 3 })
      .notNullable()
      .comment('When it happened (received time for AMQP events)');
    table
      .text('squad')
      .nullable()
      .comment(
        'Owner entity ref the event belongs to; null when no squad could be found',
      );
    table
      .text('entity_ref')
      .nullable()
      .comment('Component the event concerns, when the catalog knows it');
    table.text('service').notNullable().comment('Service name');
    table
      .text('environment')
      .nullable()
      .comment('Environment of a release event');
    table
      .text('actor')
      .nullable()
      .comment('Who did it: release author, when known');
    table
      .text('artifact_id')
      .nullable()
      .comment('release-manager artifact id of a release event');
    table.text('summary').notNullable().comment('One sentence for people');
    table
      .text('raw')
      .nullable()
      .comment('The AMQP message body, kept for unreadable events');
    table.index(['squad', 'occurred_at'], 'pulse_events_squad_time_idx');
  });

  await knex.schema.createTable('pulse_catalog_snapshot', table => {
    table.comment(
      'Components and owners as last seen by the catalog tracker; changes become pulse events',
    );
    table
      .string('entity_ref', 255)
      .primary()
      .comment('Component entity ref, lower case');
    table.text('name').notNullable().comment('Component metadata.name');
    table
      .text('service')
      .notNullable()
      .comment(
        'Name in release-manager (lunar.app/release-manager-service), else the component name',
      );
    table
      .text('owner')
      .nullable()
      .comment('Owner entity ref (ownedBy relation), null when unowned');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('pulse_catalog_snapshot');
  await knex.schema.dropTable('pulse_events');
};
