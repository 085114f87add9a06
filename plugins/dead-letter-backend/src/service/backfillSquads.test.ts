import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { DatabaseDeadLetterStore } from '../database/DatabaseDeadLetterStore';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { newDeadLetter } from '../__testUtils__/rows';
import { backfillSquads } from './backfillSquads';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

function row(service: string | null, squad: string | null) {
  return newDeadLetter({ service, squad, queue: `q_${service}` });
}

describe('backfillSquads', () => {
  let ids: TestDatabaseId[] = ['SQLITE_3'];
  beforeAll(async () => {
    if (await requirePostgres()) ids = ['POSTGRES_15', 'SQLITE_3'];
  });
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'gives messages stored without a squad the one the catalog now names, on %s',
    async id => {
      if (!ids.includes(id)) return;
      const store = await DatabaseDeadLetterStore.create({
        database: mockServices.database({ knex: await databases.init(id) }),
      });
      // Stored right after a start, before the catalog knew any owner.
      await store.insertBatch([
        row('card-clearing', null),
        row('card-clearing', null),
        row('unknown-service', null),
        row(null, null),
        row('bankaccount', 'squad-mercury'),
      ]);
      expect(await store.servicesWithoutSquad(10)).toEqual([
        'card-clearing',
        'unknown-service',
      ]);

      const asked: string[][] = [];
      const catalog = new Map([
        ['card-clearing', 'squad-gemini'],
        ['bankaccount', 'squad-aura'],
      ]);
      const updated = await backfillSquads({
        store,
        logger: mockServices.logger.mock(),
        resolveSquads: async services => {
          asked.push(services);
          return new Map(services.map(s => [s, catalog.get(s) ?? null]));
        },
      });

      expect(updated).toBe(2);
      expect(asked).toEqual([['card-clearing', 'unknown-service']]);
      const squads = (await store.squadOverview('dev')).sort((a, b) =>
        String(a.squad).localeCompare(String(b.squad)),
      );
      // A squad already stored is kept; unknown services stay without one.
      expect(squads).toEqual([
        { squad: null, count: 2 },
        { squad: 'squad-gemini', count: 2 },
        { squad: 'squad-mercury', count: 1 },
      ]);
      expect(await store.servicesWithoutSquad(10)).toEqual(['unknown-service']);
    },
  );
});
