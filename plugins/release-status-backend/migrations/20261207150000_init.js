// @ts-check

/**
 * Release status computed ahead: the scheduled refresh writes each
 * component's status here, and the API reads only from here.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('release_status', table => {
    table.comment(
      'Last computed release status per component (one row each), written by the scheduled refresh',
    );
    table
      .string('entity_ref', 255)
      .primary()
      .comment('Component entity ref, lower case');
    table
      .text('status')
      .nullable()
      .comment(
        'The ReleaseStatus JSON: per environment the release and its drift; null until first computed',
      );
    table
      .text('fingerprint')
      .nullable()
      .comment(
        "What the sources looked like when status was computed (release-manager's artifact per environment, git's branch head and tags); an unchanged fingerprint skips recomputing",
      );
    table
      .timestamp('computed_at', { useTz: true, precision: 3 })
      .nullable()
      .comment('When status was computed from the sources');
    table
      .timestamp('checked_at', { useTz: true, precision: 3 })
      .nullable()
      .comment(
        'When a refresh last looked at the component (recomputed or found unchanged)',
      );
    table
      .text('last_error')
      .nullable()
      .comment(
        'Why the last refresh of this component failed or a source failed; null when it succeeded',
      );
    table
      .timestamp('last_error_at', { useTz: true, precision: 3 })
      .nullable()
      .comment('When last_error happened');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('release_status');
};
