import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { DatabaseDeadLetterStore } from './DatabaseDeadLetterStore';
import { DatabaseRedeliveryJobStore } from './DatabaseRedeliveryJobStore';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { newDeadLetter as row } from '../__testUtils__/rows';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

// The runner notifies the owning squads only when its autoPause took
// effect, so "one notification per auto-pause, also with two replicas"
// rests on this: exactly one caller's autoPause is true.
describe('DatabaseRedeliveryJobStore.autoPause', () => {
  let ids: TestDatabaseId[] = ['SQLITE_3'];
  beforeAll(async () => {
    if (await requirePostgres()) ids = ['POSTGRES_15', 'SQLITE_3'];
  });
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'takes effect for exactly one replica, the lease holder, once (%s)',
    async id => {
      if (!ids.includes(id)) return;
      const knex = await databases.init(id);
      const deadLetters = await DatabaseDeadLetterStore.create({
        database: mockServices.database({ knex }),
      });
      const jobs = new DatabaseRedeliveryJobStore(knex, deadLetters);
      await deadLetters.insertBatch([row({ environment: 'dev' })]);
      const now = new Date('2026-12-07T10:00:00Z');
      const job = await jobs.create({
        environment: 'dev',
        createdBy: 'user:default/mette.hansen',
        selection: { filter: {} },
        rate: 10,
        ramp: null,
        now,
      });
      // Replica a held the lease, b took the job over after it expired.
      expect(await jobs.claim('a', 10_000, now, [])).toMatchObject({
        leaseOwner: 'a',
      });
      const later = new Date(now.getTime() + 11_000);
      expect(await jobs.claim('b', 10_000, later, [])).toMatchObject({
        leaseOwner: 'b',
      });

      const results = await Promise.all([
        jobs.autoPause(job.id, 'a', 'paused itself: by a', later),
        jobs.autoPause(job.id, 'b', 'paused itself: by b', later),
        jobs.autoPause(job.id, 'b', 'paused itself: by b again', later),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(results[0]).toBe(false);
      expect(await jobs.get(job.id)).toMatchObject({
        state: 'paused',
        leaseOwner: null,
      });
      expect((await jobs.get(job.id))!.pausedReason).toMatch(
        /^paused itself: by b/,
      );
      // Paused: no one pauses it again until it runs again.
      expect(await jobs.autoPause(job.id, 'b', 'again', later)).toBe(false);
    },
  );
});
