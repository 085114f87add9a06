import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * Runs a plugin's knex migrations so that replicas starting at once do not
 * trip over each other: on PostgreSQL one runs them while the others wait on
 * a transaction-level advisory lock named after `name`, then find nothing
 * left to do. (Plain `migrate.latest` from two processes makes one fail with
 * "Migration table is already locked", or races creating knex's tables.)
 * SQLite databases are one process's own: migrated directly.
 */
export async function migrateLatest(
  knex: Knex,
  options: { directory: string; name: string },
): Promise<void> {
  if (knex.client.config.client !== 'pg') {
    await knex.migrate.latest({ directory: options.directory });
    return;
  }
  // A stable signed 64-bit key per plugin.
  const key = createHash('sha256')
    .update(`lunar-migrations:${options.name}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
  await knex.transaction(async trx => {
    await trx.raw('select pg_advisory_xact_lock(?::bigint)', [key]);
    // knex migrates on its own connections; the lock is held by this
    // transaction's until it commits.
    await knex.migrate.latest({ directory: options.directory });
  });
}
