import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { DatabaseDeadLetterStore } from './DatabaseDeadLetterStore';
import { DatabaseRedeliveryJobStore } from './DatabaseRedeliveryJobStore';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '../__testUtils__/services';
import { newDeadLetter as row } from '../__testUtils__/rows';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

const migrations = resolvePackagePath(
  '@internal/plugin-dead-letter-backend',
  'migrations',
);

describe('DatabaseRedeliveryJobStore', () => {
  let ids: TestDatabaseId[] = ['SQLITE_3'];
  beforeAll(async () => {
    if (await requirePostgres()) ids = ['POSTGRES_15', 'SQLITE_3'];
  });
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'snapshots, leases and records a job on %s, and migrates down and up',
    async id => {
      if (!ids.includes(id)) return;
      const knex = await databases.init(id);
      const deadLetters = await DatabaseDeadLetterStore.create({
        database: mockServices.database({ knex }),
      });
      const jobs = new DatabaseRedeliveryJobStore(knex, deadLetters);
      await deadLetters.insertBatch([
        row({ environment: 'dev', squad: 'squad-mercury' }),
        row({ environment: 'dev', squad: 'squad-gemini' }),
        row({ environment: 'dev', squad: null }),
        row({ environment: 'prod' }),
      ]);
      const now = new Date('2026-12-07T10:00:00Z');
      const job = await jobs.create({
        environment: 'dev',
        createdBy: 'user:default/mette.hansen',
        selection: { filter: {} },
        rate: 10,
        ramp: [{ rate: 1, seconds: 5 }],
        now,
      });
      expect(job).toMatchObject({
        state: 'queued',
        total: 3,
        rate: 10,
        ramp: [{ rate: 1, seconds: 5 }],
        selection: { filter: {} },
      });
      expect([...job.squads].sort()).toEqual(
        [null, 'squad-gemini', 'squad-mercury'].sort(),
      );
      // Rows waiting in an unfinished job are not snapshotted again.
      const second = await jobs.create({
        environment: 'dev',
        createdBy: 'user:default/x',
        selection: { filter: {} },
        rate: null,
        ramp: null,
        now,
      });
      expect(second).toMatchObject({ total: 0, state: 'done' });

      // One lease at a time; another replica after it expired.
      const claimed = await jobs.claim('a', 10_000, now, []);
      expect(claimed).toMatchObject({ id: job.id, leaseOwner: 'a' });
      expect(await jobs.claim('b', 10_000, now, [])).toBeUndefined();
      const items = await jobs.nextItems(job.id, 10);
      expect(items).toHaveLength(3);
      // Read on after the last item taken.
      expect(
        (await jobs.nextItems(job.id, 10, items[0].id)).map(i => i.id),
      ).toEqual([items[1].id, items[2].id]);
      expect(await jobs.nextItems(job.id, 10, items[2].id)).toEqual([]);
      expect(await jobs.markPublishing(job.id, [items[0].id])).toBe(0);
      const later = new Date(now.getTime() + 11_000);
      expect(await jobs.claim('b', 10_000, later, [])).toMatchObject({
        leaseOwner: 'b',
      });
      expect(await jobs.heartbeat(job.id, 'a', later)).toBeUndefined();
      expect(await jobs.heartbeat(job.id, 'b', later)).toBe('running');
      // The item 'a' left publishing is published again: a duplicate.
      const again = await jobs.nextItems(job.id, 10);
      expect(again[0]).toMatchObject({ id: items[0].id, state: 'publishing' });
      expect(
        await jobs.markPublishing(
          job.id,
          again.map(i => i.id),
        ),
      ).toBe(1);
      await jobs.record(
        job.id,
        {
          published: again
            .slice(0, 2)
            .map(i => ({ itemId: i.id, deadLetterId: i.deadLetterId })),
          failed: [
            {
              itemId: again[2].id,
              deadLetterId: again[2].deadLetterId,
              reason: 'unroutable',
              detail: 'no queue',
            },
          ],
        },
        12.5,
        later,
      );
      expect(await jobs.finishIfComplete(job.id, 'b', later)).toBe(true);
      expect(await jobs.get(job.id)).toMatchObject({
        state: 'done',
        published: 2,
        failed: 1,
        duplicateWindow: 1,
        leaseOwner: null,
      });
      expect((await jobs.failedByReason([job.id])).get(job.id)).toEqual({
        unroutable: 1,
      });
      // Published rows are gone; the failed one stays.
      expect(await deadLetters.count('dev', { filter: {} })).toBe(1);
      expect((await jobs.list('dev', 10)).map(j => j.id)).toEqual([
        second.id,
        job.id,
      ]);

      await knex.migrate.down({
        directory: migrations,
        name: '20261207100000_redelivery_jobs.js',
      });
      expect(await knex.schema.hasTable('dead_letter_redelivery_jobs')).toBe(
        false,
      );
      await knex.migrate.latest({ directory: migrations });
      expect(await knex.schema.hasTable('dead_letter_redelivery_items')).toBe(
        true,
      );
    },
  );
});
