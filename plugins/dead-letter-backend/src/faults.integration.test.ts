import { execFileSync } from 'node:child_process';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import * as amqp from 'amqplib';
import { Knex } from 'knex';
import deadLetterPlugin from '.';
import {
  AMQP_URL,
  requirePostgres,
  requireRabbitMq,
  useLocalPostgresForTestDatabases,
} from './__testUtils__/services';

useLocalPostgresForTestDatabases();
jest.setTimeout(240_000);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Closes the plugin's broker connections, as a broker restart would. */
function closePluginConnections(environment: string) {
  const out = execFileSync(
    'rabbitmqctl',
    ['-q', 'list_connections', 'pid', 'client_properties'],
    { encoding: 'utf8' },
  );
  let closed = 0;
  for (const line of out.split('\n')) {
    if (!line.includes(`backstage-dead-letter-${environment}`)) continue;
    const pid = line.split('\t')[0].trim();
    execFileSync('rabbitmqctl', [
      '-q',
      'close_connection',
      pid,
      'fault injection by test',
    ]);
    closed += 1;
  }
  return closed;
}

/** Kills every other session on the test database, as a failover would. */
async function terminatePostgresSessions(admin: Knex, database: string) {
  await admin.raw(
    'select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()',
    [database],
  );
}

describe('dead-letter consumer under faults', () => {
  let available = false;
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
  beforeAll(async () => {
    available = (await requirePostgres()) && (await requireRabbitMq());
  });

  function backend(knex: Knex, queue: string) {
    return startTestBackend({
      features: [
        deadLetterPlugin,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            deadLetter: {
              environments: [
                {
                  name: 'faults',
                  amqp: { url: AMQP_URL, queue, prefetch: 300 },
                  batchSize: 100,
                  batchWaitMs: 20,
                },
              ],
            },
          },
        }),
      ],
    });
  }

  it('stores every message exactly once through broker and database faults, with two replicas', async () => {
    if (!available) return;
    const total = 4000;
    const queue = `lunar-test-faults-${Math.random().toString(36).slice(2, 8)}`;
    const connection = await amqp.connect(AMQP_URL);
    const ch = await connection.createConfirmChannel();
    await ch.assertQueue(queue, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum' },
    });
    const knex = await databases.init('POSTGRES_15');
    const database = (knex.client.config.connection as { database: string })
      .database;
    const admin = (await databases.init('POSTGRES_15')) as Knex;

    // Two replicas on the same database and queue: competing consumers.
    const replicas = [await backend(knex, queue), await backend(knex, queue)];
    try {
      const publishAll = async (from: number, to: number) => {
        for (let i = from; i < to; i++) {
          ch.sendToQueue(
            queue,
            Buffer.from(JSON.stringify({ n: i, pad: 'x'.repeat(900) })),
            {
              messageId: `fault-${i}`,
              headers: {
                'x-first-death-queue': 'faults_term-deposit',
                'x-first-death-exchange': 'bankaccount',
                'x-death': [
                  {
                    queue: 'faults_term-deposit',
                    reason: 'rejected',
                    count: 1,
                    exchange: 'bankaccount',
                    'routing-keys': ['rk'],
                  },
                ],
              },
            },
          );
        }
        await ch.waitForConfirms();
      };
      const count = async () =>
        Number((await knex('dead_letters').count({ c: '*' }))[0].c);

      await publishAll(0, total / 2);
      // Mid-stream: the broker drops the plugin's connections...
      await sleep(300);
      expect(closePluginConnections('faults')).toBeGreaterThanOrEqual(1);
      await publishAll(total / 2, (total * 3) / 4);
      // ...and the database kills its sessions.
      await sleep(300);
      await terminatePostgresSessions(admin, database);
      await publishAll((total * 3) / 4, total);

      const deadline = Date.now() + 180_000;
      while ((await count().catch(() => 0)) < total && Date.now() < deadline)
        await sleep(500);

      const rows = await knex('dead_letters').select('message_id');
      expect(rows).toHaveLength(total);
      expect(new Set(rows.map(r => r.message_id)).size).toBe(total);
      // Every delivery acknowledged: nothing ready, nothing unacked.
      await sleep(1000);
      const listing = execFileSync(
        'rabbitmqctl',
        [
          '-q',
          'list_queues',
          'name',
          'messages_ready',
          'messages_unacknowledged',
        ],
        { encoding: 'utf8' },
      );
      const line = listing.split('\n').find(l => l.startsWith(`${queue}\t`));
      expect(line?.split('\t').slice(1).map(Number)).toEqual([0, 0]);
    } finally {
      for (const r of replicas) await r.stop();
      await ch.deleteQueue(queue).catch(() => {});
      await connection.close().catch(() => {});
    }
  });
});
