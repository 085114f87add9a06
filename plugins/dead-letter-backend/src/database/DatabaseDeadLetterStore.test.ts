import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { DatabaseDeadLetterStore } from './DatabaseDeadLetterStore';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { newDeadLetter as row } from '../__testUtils__/rows';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

describe('DatabaseDeadLetterStore', () => {
  let ids: TestDatabaseId[] = ['SQLITE_3'];
  beforeAll(async () => {
    if (await requirePostgres()) ids = ['POSTGRES_15', 'SQLITE_3'];
  });
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function storeFor(id: TestDatabaseId) {
    const knex = await databases.init(id);
    return DatabaseDeadLetterStore.create({
      database: mockServices.database({ knex }),
    });
  }

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'stores, lists, groups and deletes on %s',
    async id => {
      if (!ids.includes(id)) return;
      const store = await storeFor(id);

      // Idempotent: a batch that repeats a key stores it once.
      const first = row();
      expect(
        await store.insertBatch([
          first,
          row(),
          { ...first, receivedAt: new Date().toISOString() },
        ]),
      ).toBe(2);
      expect(await store.insertBatch([first])).toBe(0);
      await store.insertBatch([
        row({
          service: 'bankaccount',
          squad: 'squad-mercury',
          error: 'ctx handler: insufficient_funds: insufficient funds',
        }),
        row({
          service: 'card-clearing',
          squad: 'squad-gemini',
          queue: 'q_card-clearing',
        }),
        row({ environment: 'prod' }),
      ]);

      // Newest first, paged by cursor, with a total.
      const page1 = await store.list('dev', {}, { limit: 2 });
      expect(page1.totalCount).toBe(4);
      expect(page1.items).toHaveLength(2);
      const page2 = await store.list(
        'dev',
        {},
        { limit: 2, cursor: page1.nextCursor! },
      );
      expect(page2.items).toHaveLength(2);
      expect(page2.nextCursor).toBeNull();
      const all = [...page1.items, ...page2.items];
      expect(new Set(all.map(i => i.id)).size).toBe(4);
      const times = all.map(i => i.deadLetteredAt);
      expect([...times].sort().reverse()).toEqual(times);

      // Filters.
      expect(
        (await store.list('dev', { service: 'bankaccount' }, { limit: 10 }))
          .totalCount,
      ).toBe(1);
      expect(
        (
          await store.list(
            'dev',
            { error: 'insufficient_funds' },
            { limit: 10 },
          )
        ).totalCount,
      ).toBe(1);
      expect(
        (await store.list('dev', { error: '100%_' }, { limit: 10 })).totalCount,
      ).toBe(0);
      expect(
        (await store.list('dev', { queue: 'q_card-clearing' }, { limit: 10 }))
          .totalCount,
      ).toBe(1);

      // Overviews, largest first.
      expect(await store.squadOverview('dev')).toEqual([
        { squad: 'squad-mercury', count: 3 },
        { squad: 'squad-gemini', count: 1 },
      ]);
      const services = await store.serviceOverview('dev', 'squad-mercury');
      expect(services.map(s => [s.service, s.count])).toEqual([
        ['term-deposit', 2],
        ['bankaccount', 1],
      ]);
      const termDepositGroups = await store.errorGroups('dev', 'term-deposit');
      expect(termDepositGroups[0]).toMatchObject({
        service: 'term-deposit',
        squad: 'squad-mercury',
        error: 'ctx handler: record not found',
        count: 2,
      });
      // A group's sample is one of its own messages.
      expect(
        all.find(i => i.id === termDepositGroups[0].sampleId),
      ).toMatchObject({
        service: 'term-deposit',
        error: 'ctx handler: record not found',
      });
      // Across the environment, groups are per service and error text.
      const envGroups = await store.errorGroups('dev');
      expect(envGroups.map(g => [g.service, g.count])).toEqual(
        expect.arrayContaining([
          ['term-deposit', 2],
          ['bankaccount', 1],
        ]),
      );
      expect(envGroups.reduce((n, g) => n + g.count, 0)).toBe(all.length);

      // Details keep the bytes.
      const detail = await store.get(all[0].id);
      expect(detail!.body.equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
      expect(detail!.headers).toEqual({ 'x-death': [{ count: 1 }] });
      expect(await store.get('999999')).toBeUndefined();
      expect(await store.get('not-a-number')).toBeUndefined();

      // Delete by ids (only in that environment) and by filter.
      const target = all.find(i => i.service === 'term-deposit')!;
      expect(await store.delete('prod', { ids: [target.id] })).toBe(0);
      expect(await store.delete('dev', { ids: [target.id] })).toBe(1);
      expect(await store.get(target.id)).toBeUndefined();
      expect(
        await store.delete('dev', { filter: { squad: 'squad-gemini' } }),
      ).toBe(1);
      expect(
        (await store.list('dev', {}, { limit: 10 })).items.every(
          i => i.squad !== 'squad-gemini',
        ),
      ).toBe(true);
    },
  );

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'counts messages per hour and squad or service on %s',
    async id => {
      if (!ids.includes(id)) return;
      const store = await storeFor(id);
      const at = (h: number, m: number) =>
        new Date(Date.UTC(2026, 10, 21, h, m)).toISOString();
      await store.insertBatch([
        row({ environment: 'hist', deadLetteredAt: at(8, 59) }), // too old
        row({ environment: 'hist', deadLetteredAt: at(9, 0) }),
        row({ environment: 'hist', deadLetteredAt: at(9, 59) }),
        row({
          environment: 'hist',
          deadLetteredAt: at(9, 30),
          service: 'card-clearing',
          squad: 'squad-gemini',
        }),
        row({ environment: 'hist', deadLetteredAt: at(23, 5) }),
        row({ environment: 'other', deadLetteredAt: at(9, 10) }),
      ]);
      const from = new Date(at(9, 0));
      expect(await store.histogram('hist', { groupBy: 'squad', from })).toEqual(
        [
          { hour: '2026-11-21T09', key: 'squad-gemini', count: 1 },
          { hour: '2026-11-21T09', key: 'squad-mercury', count: 2 },
          { hour: '2026-11-21T23', key: 'squad-mercury', count: 1 },
        ],
      );
      expect(
        await store.histogram('hist', {
          groupBy: 'service',
          from,
          squad: 'squad-gemini',
        }),
      ).toEqual([{ hour: '2026-11-21T09', key: 'card-clearing', count: 1 }]);
    },
  );
});
