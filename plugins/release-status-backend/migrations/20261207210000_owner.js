// @ts-check

/**
 * Each component's owner beside its status, so a squad's overview reads its
 * statuses by owner while the catalog is asked for its components, instead of
 * after.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('release_status', table => {
    table
      .string('owner_ref', 255)
      .nullable()
      .comment(
        "The component's owner (its first ownedBy relation), lower case, as of the last refresh; null when it has none or was not refreshed since this column came",
      );
    table.index(['owner_ref'], 'release_status_owner_ref_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('release_status', table => {
    table.dropIndex(['owner_ref'], 'release_status_owner_ref_idx');
    table.dropColumn('owner_ref');
  });
};
