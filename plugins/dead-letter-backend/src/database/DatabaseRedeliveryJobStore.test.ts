import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { DatabaseDeadLetterStore } from './DatabaseDeadLetterStore';
import { DatabaseRedeliveryJobStore } from './DatabaseRedeliveryJobStore';
import { PreviewRefusal } from './RedeliveryJobStore';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { newDeadLetter as row } from '../__testUtils__/rows';
import { hasIndex } from '../__testUtils__/schema';

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
  /** A fresh database of `id` with both stores on it. */
  const stores = async (id: TestDatabaseId) => {
    const knex = await databases.init(id);
    const deadLetters = await DatabaseDeadLetterStore.create({
      database: mockServices.database({ knex }),
    });
    return {
      knex,
      deadLetters,
      jobs: new DatabaseRedeliveryJobStore(knex, deadLetters),
    };
  };

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    "holds the rows of a cancelled job's in-flight items for a while, so a new job cannot publish them again uncounted (%s)",
    async id => {
      if (!ids.includes(id)) return;
      const { deadLetters, jobs } = await stores(id);
      await deadLetters.insertBatch([
        row({ environment: 'dev', messageId: 'in-flight' }),
        row({ environment: 'dev', messageId: 'waiting' }),
      ]);
      const t0 = new Date('2026-12-07T10:00:00Z');
      const create = (now: Date) =>
        jobs.create({
          environment: 'dev',
          createdBy: 'user:default/mette.hansen',
          selection: { filter: {} },
          rate: null,
          ramp: null,
          now,
        });
      /** The message id of an item's stored row (undefined when gone). */
      const messageId = async (item: { row?: { id: string } }) =>
        item.row && (await deadLetters.get(item.row.id))?.messageId;
      const messages = async (jobId: string) => {
        const items = await jobs.nextItems(jobId, 10);
        return (await Promise.all(items.map(messageId))).sort();
      };
      const a = await create(t0);
      await jobs.claim('a', 10_000, t0, []);
      const [inFlight] = await jobs.nextItems(a.id, 1);
      await jobs.markPublishing(a.id, 'a', inFlight.id, []);
      await jobs.transition(a.id, ['running'], 'cancelled', t0);

      // Right after the cancel: the in-flight row stays with 'a' (its
      // runner records and archives it a moment later); the other is free.
      const b = await create(new Date(t0.getTime() + 1_000));
      expect(b.total).toBe(1);
      expect(await messages(b.id)).toEqual(['waiting']);
      await jobs.transition(b.id, ['queued'], 'cancelled', t0);

      // A crashed runner never records it: after the grace a new job takes
      // it, as perhaps published already (counted when it goes again).
      const c = await create(new Date(t0.getTime() + 31_000));
      expect(await messages(c.id)).toEqual(['in-flight', 'waiting']);
      const items = await jobs.nextItems(c.id, 10);
      expect(
        (
          await Promise.all(items.map(async i => [await messageId(i), i.state]))
        ).sort(),
      ).toEqual([
        ['in-flight', 'publishing'],
        ['waiting', 'queued'],
      ]);
      await jobs.claim('c', 10_000, t0, []);
      expect(
        await jobs.markPublishing(
          c.id,
          'c',
          items[items.length - 1].id,
          items.filter(i => i.state === 'publishing').map(i => i.id),
        ),
      ).toBe(1);
      expect((await jobs.get(c.id))?.duplicateWindow).toBe(1);
    },
  );

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'snapshots, leases and records a job on %s, and migrates down and up',
    async id => {
      if (!ids.includes(id)) return;
      const { knex, deadLetters, jobs } = await stores(id);
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
      // 'a' sends the first item: its batch is under the publishing mark.
      expect(await jobs.markPublishing(job.id, 'a', items[0].id, [])).toBe(0);
      expect((await jobs.nextItems(job.id, 10))[0]).toMatchObject({
        state: 'publishing',
        attempts: 1,
      });
      const later = new Date(now.getTime() + 11_000);
      expect(await jobs.claim('b', 10_000, later, [])).toMatchObject({
        leaseOwner: 'b',
      });
      expect(await jobs.heartbeat(job.id, 'a', later)).toBeUndefined();
      expect(await jobs.heartbeat(job.id, 'b', later)).toBe('running');
      // 'a' can neither mark items nor lower the mark now that 'b' holds the
      // job ('b' may have published them); the holder can.
      expect(
        await jobs.markPublishing(job.id, 'a', items[1].id, []),
      ).toBeUndefined();
      expect((await jobs.nextItems(job.id, 10))[1].state).toBe('queued');
      expect(await jobs.markPublishing(job.id, 'b', items[1].id, [])).toBe(0);
      expect(await jobs.unmarkFrom(job.id, 'a', items[1].id)).toBe(false);
      // Nor once nobody holds the job: 'b' raised the mark, only 'b' may
      // lower it.
      await jobs.release(job.id, 'b');
      expect(await jobs.unmarkFrom(job.id, 'a', items[1].id)).toBe(false);
      expect((await jobs.nextItems(job.id, 10))[1].state).toBe('publishing');
      expect(await jobs.unmarkFrom(job.id, 'b', items[1].id)).toBe(true);
      expect((await jobs.nextItems(job.id, 10))[1]).toMatchObject({
        state: 'queued',
        attempts: 0,
      });
      expect(await jobs.claim('b', 10_000, later, [])).toMatchObject({
        leaseOwner: 'b',
      });
      // The item 'a' sent stays in flight below the lowered mark (the claim
      // marked it on its own), and is published again: a duplicate.
      const again = await jobs.nextItems(job.id, 10);
      expect(again[0]).toMatchObject({
        id: items[0].id,
        state: 'publishing',
        attempts: 1,
      });
      expect(
        await jobs.markPublishing(job.id, 'b', again[2].id, [again[0].id]),
      ).toBe(1);
      expect((await jobs.nextItems(job.id, 10))[0].attempts).toBe(2);
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
      // Published rows are gone, with their items; the failed one stays.
      expect(await deadLetters.count('dev', { filter: {} })).toBe(1);
      // They went to the archive, as redelivered by the job's creator.
      expect(
        (await deadLetters.listArchive('dev', {}, { limit: 10 })).items
          .map(a => [a.id, a.archiveReason, a.archivedBy])
          .sort(),
      ).toEqual(
        again
          .slice(0, 2)
          .map(i => [
            i.deadLetterId,
            'redelivered',
            'user:default/mette.hansen',
          ])
          .sort(),
      );
      expect(
        await knex('dead_letter_redelivery_items')
          .where('job_id', Number(job.id))
          .select('state'),
      ).toEqual([{ state: 'failed' }]);
      // Who the job's messages belong to outlives its items.
      expect(
        (await jobs.owners(job.id)).map(o => o.squad ?? '(none)').sort(),
      ).toEqual(['(none)', 'squad-gemini', 'squad-mercury']);
      expect((await jobs.list('dev', 10)).map(j => j.id)).toEqual([
        second.id,
        job.id,
      ]);
      // By ids: the ids it did not take are reported (the failed row is
      // stored still; the other id never was).
      const byIds = await jobs.create({
        environment: 'dev',
        createdBy: 'user:default/x',
        selection: { ids: [again[2].deadLetterId, '987654'] },
        rate: null,
        ramp: null,
        now: later,
      });
      expect(byIds).toMatchObject({ total: 1, untaken: ['987654'] });

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

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'previews with breakdowns in SQL on %s, and a job of the token takes exactly the previewed messages',
    async id => {
      if (!ids.includes(id)) return;
      const { knex, deadLetters, jobs } = await stores(id);
      await deadLetters.insertBatch([
        ...Array.from({ length: 6 }, (_, i) =>
          row({ error: `record ${100 + i} not found` }),
        ),
        ...Array.from({ length: 3 }, (_, i) =>
          row({
            service: 'card-clearing',
            exchange: '',
            routingKey: 'q_card-clearing',
            error: `card 7c9e6679-7425-40de-944b-e07fc1f9${1000 + i} blocked`,
          }),
        ),
        row({
          service: 'loans',
          exchange: null,
          routingKey: null,
          error: null,
        }),
        row({ environment: 'prod' }),
      ]);
      const now = new Date('2026-12-07T10:00:00Z');
      const options = {
        createdBy: 'user:default/mette.hansen',
        now,
        expiresAt: new Date(now.getTime() + 60_000),
        top: 2,
        samples: 3,
      };
      const preview = await jobs.preview('dev', { filter: {} }, options);
      expect(preview.total).toBe(10);
      expect(preview.byService).toEqual({
        items: [
          { service: 'term-deposit', count: 6 },
          { service: 'card-clearing', count: 3 },
        ],
        other: 1,
      });
      expect(preview.byErrorGroup).toEqual({
        items: [
          { errorGroup: 'record <n> not found', count: 6 },
          { errorGroup: 'card <uuid> blocked', count: 3 },
        ],
        other: 1,
      });
      expect(preview.byTarget.items[0]).toEqual({
        exchange: 'bankaccount',
        routingKey: 'bankaccount.account.ReserveFundsResponseV1',
        count: 6,
      });
      expect(preview.exchanges.items).toEqual([
        { exchange: 'bankaccount', count: 6 },
        { exchange: '', count: 3 },
        { exchange: null, count: 1 },
      ]);
      expect(preview.defaultExchangeQueues).toEqual({
        items: [{ queue: 'q_card-clearing', count: 3 }],
        other: 0,
      });
      expect(preview.samples).toHaveLength(3);
      expect(preview.samples[0]).not.toHaveProperty('body');
      expect(preview.samples[0]).not.toHaveProperty('headers');

      // After the preview: two more arrive, one previewed is deleted.
      await deadLetters.insertBatch([row(), row({ service: 'loans' })]);
      await deadLetters.delete('dev', { ids: [preview.samples[0].id] });
      const refuse = jest.fn((_why: PreviewRefusal) => new Error('refused'));
      const job = await jobs.create({
        environment: 'dev',
        createdBy: options.createdBy,
        selection: { filter: {} },
        rate: 10,
        ramp: null,
        now,
        preview: { token: preview.token, refuse },
      });
      expect(refuse).not.toHaveBeenCalled();
      expect(job).toMatchObject({
        total: 9,
        previewed: 10,
        arrivedAfterPreview: 2,
        goneSincePreview: 1,
      });
      const taken = (await jobs.nextItems(job.id, 100)).map(
        i => i.deadLetterId,
      );
      expect(taken).not.toContain(preview.samples[0].id);
      // Used once.
      await expect(
        jobs.create({
          environment: 'dev',
          createdBy: options.createdBy,
          selection: { filter: {} },
          rate: 10,
          ramp: null,
          now,
          preview: { token: preview.token, refuse },
        }),
      ).rejects.toThrow('refused');
      expect(refuse).toHaveBeenLastCalledWith({ kind: 'unknown' });

      // Another selection, another person, or too late: refused, and
      // nothing is created.
      const other = await jobs.preview(
        'dev',
        { filter: { service: 'loans' } },
        options,
      );
      const attempt = (over: object) =>
        jobs
          .create({
            environment: 'dev',
            createdBy: options.createdBy,
            selection: { filter: { service: 'loans' } },
            rate: 10,
            ramp: null,
            now,
            preview: { token: other.token, refuse },
            ...over,
          })
          .catch(() => undefined);
      await attempt({ selection: { filter: {} } });
      expect(refuse).toHaveBeenLastCalledWith({
        kind: 'mismatch',
        detail: 'it previewed another selection',
      });
      await attempt({ createdBy: 'user:default/x' });
      expect(refuse).toHaveBeenLastCalledWith(
        expect.objectContaining({ kind: 'mismatch' }),
      );
      await attempt({ now: new Date(now.getTime() + 61_000) });
      expect(refuse).toHaveBeenLastCalledWith({
        kind: 'expired',
        expiresAt: '2026-12-07T10:01:00.000Z',
      });
      expect((await jobs.list('dev', 10)).map(j => j.id)).toEqual([job.id]);
      // Expired previews go, in short statements, with their items.
      const expiring = await jobs.preview('dev', { filter: {} }, options);
      // The two that arrived after the first preview.
      expect(expiring.total).toBe(2);
      expect(
        await jobs.purgeExpiredPreviews(new Date(now.getTime() + 1_000), 2),
      ).toBe(0);
      expect(
        await jobs.purgeExpiredPreviews(new Date(now.getTime() + 61_000), 2),
      ).toBe(2);
      expect(
        Number(
          (
            await knex('dead_letter_redelivery_preview_items').count({
              n: '*',
            })
          )[0].n,
        ),
      ).toBe(0);
      const fresh = await jobs.preview(
        'dev',
        { filter: { service: 'loans' } },
        options,
      );
      // A newer preview of the same selection replaces the older: it
      // expires at once.
      await jobs.preview('dev', { filter: { service: 'loans' } }, options);
      expect(
        await attempt({ preview: { token: fresh.token, refuse } }).then(
          () => refuse.mock.lastCall?.[0],
        ),
      ).toMatchObject({ kind: 'expired' });
    },
  );

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'fills in the error group of messages stored without one on %s',
    async id => {
      if (!ids.includes(id)) return;
      const { knex, deadLetters } = await stores(id);
      await deadLetters.insertBatch(
        Array.from({ length: 700 }, (_, i) =>
          row({ error: `record ${i} not found` }),
        ),
      );
      await deadLetters.insertBatch([row({ error: null })]);
      // As an older replica would have stored them, one archived.
      await knex('dead_letters').update({ error_group: null });
      const [first] = await knex('dead_letters').orderBy('id').limit(1);
      await deadLetters.delete('dev', { ids: [String(first.id)] });
      expect(await deadLetters.fillErrorGroups(500)).toBe(501);
      expect(await deadLetters.fillErrorGroups(500)).toBe(199);
      expect(await deadLetters.fillErrorGroups(500)).toBe(0);
      const groups = (await knex('dead_letters')
        .select('error_group')
        .count({ count: '*' })
        .groupBy('error_group')
        .orderBy('count')) as Array<{
        error_group: string | null;
        count: unknown;
      }>;
      expect(groups.map(g => [g.error_group, Number(g.count)])).toEqual([
        [null, 1],
        ['record <n> not found', 699],
      ]);
      expect(
        (await knex('dead_letter_archive').first('error_group')).error_group,
      ).toBe('record <n> not found');

      // Down, by name (later migrations stay): who raised the mark
      // (20261207170000), the jobs' publishing mark and owners
      // (20261207150000), the pending items' index
      // (20261207140000), the partial indexes (20261207130100), then the
      // column.
      const jobs = 'dead_letter_redelivery_jobs';
      expect(await knex.schema.hasColumn(jobs, 'publishing_by')).toBe(true);
      await knex.migrate.down({
        directory: migrations,
        name: '20261207170000_redelivery_publishing_by.js',
      });
      expect(await knex.schema.hasColumn(jobs, 'publishing_by')).toBe(false);
      expect(await knex.schema.hasColumn(jobs, 'publishing_through')).toBe(
        true,
      );
      await knex.migrate.down({
        directory: migrations,
        name: '20261207150000_redelivery_publishing_mark.js',
      });
      expect(await knex.schema.hasColumn(jobs, 'publishing_through')).toBe(
        false,
      );
      expect(await knex.schema.hasColumn(jobs, 'owners')).toBe(false);
      const pendingIndex = 'dead_letter_redelivery_items_pending_idx';
      expect(await hasIndex(knex, pendingIndex)).toBe(true);
      await knex.migrate.down({
        directory: migrations,
        name: '20261207140000_redelivery_pending_items_index.js',
      });
      expect(await hasIndex(knex, pendingIndex)).toBe(false);
      await knex.migrate.down({
        directory: migrations,
        name: '20261207130100_error_group_missing_indexes.js',
      });
      expect(await knex.schema.hasColumn('dead_letters', 'error_group')).toBe(
        true,
      );
      await knex.migrate.down({
        directory: migrations,
        name: '20261207130000_redelivery_previews.js',
      });
      expect(await knex.schema.hasColumn('dead_letters', 'error_group')).toBe(
        false,
      );
      await knex.migrate.latest({ directory: migrations });
      expect(
        await knex.schema.hasTable('dead_letter_redelivery_preview_items'),
      ).toBe(true);
    },
  );

  // The runner notifies the owning squads only when its autoPause took
  // effect, so "one notification per auto-pause, also with two replicas"
  // rests on this: exactly one caller's autoPause is true.
  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'auto-pauses for exactly one replica, the lease holder, once (%s)',
    async id => {
      if (!ids.includes(id)) return;
      const { deadLetters, jobs } = await stores(id);
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
