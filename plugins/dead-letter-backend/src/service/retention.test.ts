import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { DatabaseDeadLetterStore } from '../database/DatabaseDeadLetterStore';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { newDeadLetter as row } from '../__testUtils__/rows';
import { purgeExpired } from './retention';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

const DAY = 24 * 60 * 60 * 1000;
const now = new Date(Date.UTC(2026, 11, 7, 12));
const ago = (days: number) => new Date(now.getTime() - days * DAY);

describe('retention purge', () => {
  let ids: TestDatabaseId[] = ['SQLITE_3'];
  beforeAll(async () => {
    if (await requirePostgres()) ids = ['POSTGRES_15', 'SQLITE_3'];
  });
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'deletes what is older than each environment keeps, in batches, on %s',
    async id => {
      if (!ids.includes(id)) return;
      const knex = await databases.init(id);
      const store = await DatabaseDeadLetterStore.create({
        database: mockServices.database({ knex }),
      });
      const at = (days: number) => ago(days).toISOString();
      // dev keeps 30 days: 5 older (one a second past the limit), 3 younger.
      const devOld = [31, 45, 90, 400].map(d =>
        row({ environment: 'dev', deadLetteredAt: at(d) }),
      );
      devOld.push(
        row({
          environment: 'dev',
          deadLetteredAt: new Date(ago(30).getTime() - 1000).toISOString(),
        }),
      );
      const devYoung = [0, 1, 29].map(d =>
        row({ environment: 'dev', deadLetteredAt: at(d) }),
      );
      // prod keeps 90 days: its 45-day-old message stays.
      const prod = [45, 120].map(d =>
        row({ environment: 'prod', deadLetteredAt: at(d) }),
      );
      await store.insertBatch([...devOld, ...devYoung, ...prod]);

      const logged: string[] = [];
      const logger = mockServices.logger.mock({
        info: (message: string) => void logged.push(message),
      });
      const purged = await purgeExpired({
        store,
        environments: [
          { name: 'dev', retention: { days: 30 } },
          { name: 'prod', retention: { days: 90 } },
          { name: 'staging', retention: { days: 30 } },
        ],
        logger,
        now,
        batchSize: 2, // 5 rows: batches of 2, 2 and 1
      });
      expect(Object.fromEntries(purged)).toEqual({
        dev: 5,
        prod: 1,
        staging: 0,
      });

      const left = async (environment: string) =>
        (await store.list(environment, {}, { limit: 100 })).items
          .map(i => i.messageId)
          .sort();
      expect(await left('dev')).toEqual(devYoung.map(r => r.messageId).sort());
      expect(await left('prod')).toEqual([prod[0].messageId]);

      expect(logged).toEqual([
        expect.stringMatching(
          /^Retention: purged 5 dead letters of dev dead-lettered before 2026-11-07T12:00:00.000Z \(30 days\)$/,
        ),
        expect.stringMatching(/purged 1 dead letters of prod .*\(90 days\)/),
        expect.stringMatching(/purged 0 dead letters of staging/),
      ]);
      const runs = await store.retentionRuns();
      expect(
        runs
          .map(r => [r.environment, r.days, r.lastPurged])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      ).toEqual([
        ['dev', 30, 5],
        ['prod', 90, 1],
        ['staging', 30, 0],
      ]);
      expect(Date.parse(runs[0].lastRunAt)).toBeGreaterThan(
        Date.now() - 60_000,
      );

      // A second run finds nothing and overwrites the record.
      const again = await purgeExpired({
        store,
        environments: [{ name: 'dev', retention: { days: 30 } }],
        logger,
        now,
      });
      expect(again.get('dev')).toBe(0);
      expect(
        (await store.retentionRuns()).find(r => r.environment === 'dev'),
      ).toMatchObject({ lastPurged: 0 });

      // The migration goes down and up again.
      const directory = resolvePackagePath(
        '@internal/plugin-dead-letter-backend',
        'migrations',
      );
      await knex.migrate.down({
        directory,
        name: '20261207000000_retention_runs.js',
      });
      expect(await knex.schema.hasTable('dead_letter_retention_runs')).toBe(
        false,
      );
      expect(await knex.schema.hasTable('dead_letters')).toBe(true);
      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasTable('dead_letter_retention_runs')).toBe(
        true,
      );
    },
  );

  it('logs a failing environment, runs the others and reports the failure', async () => {
    const purgedEnvs: string[] = [];
    const store = {
      purgeOlderThan: async (env: string) => {
        if (env === 'dev') throw new Error('connection terminated');
        purgedEnvs.push(env);
        return 3;
      },
      recordRetentionRun: async () => {},
    } as any;
    const errors: string[] = [];
    const logger = mockServices.logger.mock({
      error: (message: string) => void errors.push(message),
    });
    await expect(
      purgeExpired({
        store,
        environments: [
          { name: 'dev', retention: { days: 30 } },
          { name: 'prod', retention: { days: 30 } },
        ],
        logger,
        now,
      }),
    ).rejects.toThrow('connection terminated');
    expect(purgedEnvs).toEqual(['prod']);
    expect(errors).toEqual([
      'Retention: purging dev failed; it is retried at the next run',
    ]);
  });
});
