import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import knexFactory, { Knex } from 'knex';
import { migrateLatest } from './migrate';

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
  return dir;
}

describe('migrateLatest', () => {
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
          migrateLatest(knex, { directory, name: 'migrate-test' }),
        ),
      );
      expect(results.map(r => r.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      const applied = await first('knex_migrations').select('name');
      expect(applied.map(r => r.name)).toEqual(['20261207000000_init.js']);
      // The migration ran once: one row, not three.
      expect(await first('things').count({ n: '*' })).toEqual([
        { n: expect.anything() },
      ]);
      const [{ n }] = await first('things').count({ n: '*' });
      expect(Number(n)).toBe(1);
    } finally {
      await Promise.all(replicas.slice(1).map(k => k.destroy()));
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('migrates SQLite directly', async () => {
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
      await migrateLatest(knex, { directory, name: 'sqlite-test' });
      expect(await knex.schema.hasTable('things')).toBe(true);
    } finally {
      await knex.destroy();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
