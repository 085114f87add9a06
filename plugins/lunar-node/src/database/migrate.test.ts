import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import knexFactory, { Knex } from 'knex';
import { lunarDatabaseServiceFactory, withMigrationLock } from './migrate';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

/** A migrations folder whose one migration takes a while, as real ones do. */
function slowMigrations() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lunar-migrations-'));
  fs.writeFileSync(
    path.join(dir, '20261207000000_init.js'),
    `exports.up = async knex => {
       await knex.raw('select pg_sleep(0.5)');
       await knex.schema.createTable('things', t => { t.increments('id'); });
       await knex('things').insert({});
     };
     exports.down = knex => knex.schema.dropTable('things');`,
  );
  // Like Backstage's catalog: an index built concurrently, which waits for
  // every open transaction, so waiting replicas must not hold one.
  fs.writeFileSync(
    path.join(dir, '20261207000001_index.js'),
    `exports.config = { transaction: false };
     exports.up = knex => knex.raw('create index concurrently things_id on things (id)');
     exports.down = knex => knex.raw('drop index things_id');`,
  );
  return dir;
}

describe('withMigrationLock', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('lets replicas starting at once migrate a fresh database exactly once', async () => {
    if (!(await requirePostgres())) return;
    const first = await databases.init('POSTGRES_15');
    // Three "replicas": their own knex instances on the same database.
    const replicas: Knex[] = [
      first,
      ...[1, 2].map(() =>
        knexFactory({
          client: 'pg',
          connection: first.client.config.connection,
        }),
      ),
    ];
    const directory = slowMigrations();
    try {
      const results = await Promise.allSettled(
        replicas.map(knex =>
          withMigrationLock(knex, 'migrate-test').migrate.latest({
            directory,
          }),
        ),
      );
      expect(results.map(r => r.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      const applied = await first('knex_migrations').select('name');
      expect(applied.map(r => r.name)).toEqual([
        '20261207000000_init.js',
        '20261207000001_index.js',
      ]);
      // The migration ran once: one row, not three.
      const [{ n }] = await first('things').count({ n: '*' });
      expect(Number(n)).toBe(1);
    } finally {
      await Promise.all(replicas.slice(1).map(k => k.destroy()));
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('leaves SQLite as it is', async () => {
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'lunar-sqlite-'));
    fs.writeFileSync(
      path.join(directory, '20261207000000_init.js'),
      `exports.up = knex => knex.schema.createTable('things', t => { t.increments('id'); });
       exports.down = knex => knex.schema.dropTable('things');`,
    );
    try {
      expect(withMigrationLock(knex, 'sqlite-test')).toBe(knex);
      await withMigrationLock(knex, 'sqlite-test').migrate.latest({
        directory,
      });
      expect(await knex.schema.hasTable('things')).toBe(true);
    } finally {
      await knex.destroy();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('lunarDatabaseServiceFactory', () => {
  it('gives plugins a client whose migrations take turns, and queries as usual', async () => {
    if (!(await requirePostgres())) return;
    const prefix = `lunar_dbf_${process.pid}_`;
    const seen: string[] = [];
    const probe = createBackendPlugin({
      pluginId: 'probe',
      register(reg) {
        reg.registerInit({
          deps: { database: coreServices.database },
          async init({ database }) {
            const knex = await database.getClient();
            seen.push(knex.client.config.client);
            const { rows } = await knex.raw('select 1 as one');
            seen.push(String(rows[0].one));
            // The migrator keeps its other methods.
            seen.push(typeof knex.migrate.currentVersion);
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        probe,
        lunarDatabaseServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              database: {
                client: 'pg',
                prefix,
                connection: {
                  host: '127.0.0.1',
                  port: 5432,
                  user: 'postgres',
                  password: 'postgres',
                },
              },
            },
          },
        }),
      ],
    });
    try {
      expect(seen).toEqual(['pg', '1', 'function']);
    } finally {
      await backend.stop();
      const admin = knexFactory({
        client: 'pg',
        connection: {
          host: '127.0.0.1',
          user: 'postgres',
          password: 'postgres',
          database: 'postgres',
        },
      });
      await admin.raw(`drop database if exists "${prefix}probe" with (force)`);
      await admin.destroy();
    }
  });
});
