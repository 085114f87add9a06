import { createHash } from 'node:crypto';
import {
  coreServices,
  createServiceFactory,
  DatabaseService,
} from '@backstage/backend-plugin-api';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { ConfigReader } from '@backstage/config';
import type { Knex } from 'knex';

/** A stable signed 64-bit advisory lock key for `name`. */
function lockKey(name: string) {
  return createHash('sha256')
    .update(`lunar-migrations:${name}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

/**
 * `knex` whose `migrate.latest()` takes turns with other processes: on
 * PostgreSQL it runs while holding a session-level advisory lock named after
 * `name`, so replicas starting at once migrate one after the other and the
 * later ones find nothing left to do. (Plain `migrate.latest` from two
 * processes makes one fail with "Migration table is already locked", or
 * races creating knex's own tables.) The lock is asked for with
 * `pg_try_advisory_lock` and polled, on a connection held outside any
 * transaction: a waiting statement or an open transaction would make a
 * migration's `CREATE INDEX CONCURRENTLY` wait for it forever. A replica
 * that dies drops its connection, and with it the lock. SQLite databases
 * are one process's own and are returned as they are.
 */
export function withMigrationLock(knex: Knex, name: string): Knex {
  if (knex.client.config.client !== 'pg') return knex;
  const key = lockKey(name);
  const latest = async (
    migrator: Knex.Migrator,
    config?: Knex.MigratorConfig,
  ) => {
    const connection = await knex.client.acquireConnection();
    try {
      for (;;) {
        const { rows } = await knex
          .raw('select pg_try_advisory_lock(?::bigint) as locked', [key])
          .connection(connection);
        if (rows[0].locked) break;
        await new Promise(resolve => setTimeout(resolve, 250));
      }
      try {
        return await migrator.latest(config);
      } finally {
        await knex
          .raw('select pg_advisory_unlock(?::bigint)', [key])
          .connection(connection);
      }
    } finally {
      await knex.client.releaseConnection(connection);
    }
  };
  return new Proxy(knex, {
    get(target, prop) {
      if (prop !== 'migrate') return Reflect.get(target, prop, target);
      const migrator = target.migrate;
      return new Proxy(migrator, {
        get(m, p) {
          const value = Reflect.get(m, p, m);
          if (p === 'latest') {
            return (config?: Knex.MigratorConfig) => latest(m, config);
          }
          return typeof value === 'function' ? value.bind(m) : value;
        },
      });
    },
  });
}

/**
 * Backstage's database service with every plugin's migrations serialized
 * across replicas (see {@link withMigrationLock}): Backstage's own plugins
 * (auth keys, catalog, notifications, ...) and Lunar's alike. Otherwise the
 * same as the default: `backend.database`, or SQLite in memory.
 */
export const lunarDatabaseServiceFactory = createServiceFactory({
  service: coreServices.database,
  deps: {
    config: coreServices.rootConfig,
    lifecycle: coreServices.lifecycle,
    logger: coreServices.logger,
    pluginMetadata: coreServices.pluginMetadata,
    rootLifecycle: coreServices.rootLifecycle,
    rootLogger: coreServices.rootLogger,
  },
  async createRootContext({ config, rootLifecycle, rootLogger }) {
    return DatabaseManager.fromConfig(
      config.getOptional('backend.database')
        ? config
        : new ConfigReader({
            backend: {
              database: { client: 'better-sqlite3', connection: ':memory:' },
            },
          }),
      { rootLifecycle, rootLogger },
    );
  },
  async factory({ pluginMetadata, lifecycle, logger }, manager) {
    const pluginId = pluginMetadata.getId();
    const database: DatabaseService = manager.forPlugin(pluginId, {
      lifecycle,
      logger,
    });
    return {
      migrations: database.migrations,
      getClient: async () =>
        withMigrationLock(await database.getClient(), pluginId),
    };
  },
});
