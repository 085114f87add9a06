import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { DatabaseDeadLetterStore } from './DatabaseDeadLetterStore';
import { DatabaseIncidentStore } from './DatabaseIncidentStore';
import { hasIndex } from '../__testUtils__/schema';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

const directory = resolvePackagePath(
  '@internal/plugin-dead-letter-backend',
  'migrations',
);

const counts = {
  squad: 'squad-gemini',
  firstSeenAt: '2026-12-07T14:10:00.000Z',
  lastSeenAt: '2026-12-07T14:15:00.000Z',
  windowCount: 100,
  peakCount: 100,
  total: 100,
  baseline: 0.5,
  threshold: 50,
};
const key = {
  environment: 'prod',
  service: 'card-clearing',
  kind: 'spike' as const,
  errorGroup: null,
};
const claim = {
  openedAt: '2026-12-07T14:16:00.000Z',
  notifiedState: 'open' as const,
  notifiedCount: 100,
};

describe('DatabaseIncidentStore', () => {
  let ids: TestDatabaseId[] = ['SQLITE_3'];
  beforeAll(async () => {
    if (await requirePostgres()) ids = ['POSTGRES_15', 'SQLITE_3'];
  });
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'opens an incident once, changes it from the version read, reopens it, and migrates down and up on %s',
    async id => {
      if (!ids.includes(id)) return;
      const knex = await databases.init(id);
      await DatabaseDeadLetterStore.create({
        database: mockServices.database({ knex }),
      });
      const store = new DatabaseIncidentStore(knex);

      const opened = await store.open(key, counts, claim);
      expect(opened).toMatchObject({
        ...key,
        ...counts,
        state: 'open',
        version: 0,
      });
      // Open already: a second open is refused.
      expect(await store.open(key, counts, claim)).toBeNull();
      expect(await store.openIncidents('prod')).toHaveLength(1);

      // Only a change from the current version is made.
      const resolved = await store.update(opened!.id, 0, {
        state: 'resolved',
        resolvedAt: '2026-12-07T14:40:00.000Z',
        notifiedState: 'resolved',
      });
      expect(resolved).toMatchObject({ state: 'resolved', version: 1 });
      expect(await store.update(opened!.id, 0, { state: 'open' })).toBeNull();
      expect(await store.openIncidents('prod')).toEqual([]);

      // It happens again: the same row, open again, once.
      const [again, twice] = await Promise.all([
        store.open(key, { ...counts, total: 7 }, claim),
        store.open(key, { ...counts, total: 7 }, claim),
      ]);
      expect([again, twice].filter(Boolean)).toHaveLength(1);
      expect(again ?? twice).toMatchObject({
        id: opened!.id,
        state: 'open',
        resolvedAt: null,
        total: 7,
      });

      await knex.migrate.down({
        directory,
        name: '20261207160100_archive_dead_lettered_index.js',
      });
      expect(
        await hasIndex(knex, 'dead_letter_archive_env_service_time_idx'),
      ).toBe(false);
      await knex.migrate.down({
        directory,
        name: '20261207160000_incidents.js',
      });
      expect(await knex.schema.hasTable('dead_letter_incidents')).toBe(false);
      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasTable('dead_letter_incidents')).toBe(true);
      expect(
        await hasIndex(knex, 'dead_letter_archive_env_service_time_idx'),
      ).toBe(true);
    },
  );
});
