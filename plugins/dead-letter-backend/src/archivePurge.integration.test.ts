import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import deadLetterPlugin from '.';
import { DatabaseDeadLetterStore } from './database/DatabaseDeadLetterStore';
import { newDeadLetter } from './__testUtils__/rows';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

describe('the archive purge task', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('is scheduled hourly on one replica and purges only expired archived messages', async () => {
    if (!(await requirePostgres())) return;
    const knex = await databases.init('POSTGRES_15');
    const scheduler = mockServices.scheduler.mock();
    const backend = await startTestBackend({
      features: [
        deadLetterPlugin,
        scheduler.factory,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({ data: { deadLetter: {} } }),
      ],
    });
    try {
      const call = scheduler.scheduleTask.mock.calls.find(
        ([task]) => task.id === 'dead-letter-archive-purge',
      );
      expect(call).toBeDefined();
      const task = call![0] as SchedulerServiceTaskScheduleDefinition & {
        fn: () => Promise<void>;
      };
      expect(task).toMatchObject({
        frequency: { hours: 1 },
        scope: 'global',
      });

      const store = await DatabaseDeadLetterStore.create({
        database: mockServices.database({ knex, migrations: { skip: true } }),
      });
      await store.insertBatch([
        newDeadLetter({ messageId: 'expired' }),
        newDeadLetter({ messageId: 'kept' }),
        newDeadLetter({ messageId: 'stored' }),
      ]);
      const listed = (await store.list('dev', {}, { limit: 5 })).items;
      const id = (m: string) => listed.find(i => i.messageId === m)!.id;
      await store.delete('dev', { ids: [id('expired'), id('kept')] }, 'u');
      await knex('dead_letter_archive')
        .where('id', Number(id('expired')))
        .update({ expires_at: new Date(Date.now() - 1000).toISOString() });

      await task.fn();

      const left = (await store.listArchive('dev', {}, { limit: 5 })).items;
      expect(left.map(a => a.messageId)).toEqual(['kept']);
      expect(
        (await store.list('dev', {}, { limit: 5 })).items.map(m => m.messageId),
      ).toEqual(['stored']);
    } finally {
      await backend.stop();
    }
  });
});
