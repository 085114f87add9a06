import { execFileSync } from 'node:child_process';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import * as amqp from 'amqplib';
import { Knex } from 'knex';
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import deadLetterPlugin from '.';
import {
  AMQP_URL,
  postgresThroughProxy,
  requirePostgres,
  requireRabbitMq,
  TcpProxy,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';

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

/** The consumers the broker lists on a queue (only active ones). */
function consumersOn(queue: string) {
  return execFileSync('rabbitmqctl', ['-q', 'list_consumers', 'queue_name'], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(l => l.trim() === queue).length;
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

  function backend(
    knex: Knex,
    queue: string,
    { environment = 'faults', amqpUrl = AMQP_URL } = {},
  ) {
    return startTestBackend({
      features: [
        deadLetterPlugin,
        mockServices.database.factory({ knex }),
        mockServices.rootLogger.factory({ level: 'warn' }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            deadLetter: {
              environments: [
                {
                  name: environment,
                  amqp: { url: amqpUrl, queue, prefetch: 300 },
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
      // Every delivery acknowledged: once the replicas stop, anything they
      // held unacked would be back in the queue.
      for (const r of replicas.splice(0)) await r.stop();
      expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    } finally {
      for (const r of replicas) await r.stop();
      await ch.deleteQueue(queue).catch(() => {});
      await connection.close().catch(() => {});
    }
  });

  it('keeps exactly one consumer when the connection drops while it is being set up', async () => {
    if (!available) return;
    const environment = `drops${Math.random().toString(36).slice(2, 6)}`;
    const queue = `lunar-test-drops-${environment}`;
    const total = 1000;
    // The plugin reaches the broker through a proxy that delays every reply
    // by `latency`. Setting up a consumer takes 9 round trips (handshake 3,
    // queue check 3, channel, prefetch, consume), so a drop 7.9 round trips
    // after a connection opens lands while prefetch or consume is waiting
    // for its reply: after the handshake, before the consumer exists.
    const latency = 150;
    const broker = new URL(AMQP_URL);
    const proxy = new TcpProxy(
      { host: broker.hostname, port: Number(broker.port || 5672) },
      { replyLatencyMs: latency },
    );
    await proxy.start();
    broker.host = `127.0.0.1:${proxy.port}`;
    const connection = await amqp.connect(AMQP_URL);
    const ch = await connection.createConfirmChannel();
    await ch.assertQueue(queue, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum' },
    });
    const knex = await databases.init('POSTGRES_15');
    const running = await backend(knex, queue, {
      environment,
      amqpUrl: broker.toString(),
    });
    let stopped = false;
    const state = async () =>
      (
        await request(running.server)
          .get('/api/dead-letter/environments')
          .set({
            Authorization: mockCredentials.user.header('user:default/guest'),
          })
      ).body[0];
    try {
      const stored = async () =>
        Number((await knex('dead_letters').count({ c: '*' }))[0].c);
      while ((await state()).state !== 'consuming') await sleep(100);
      expect(proxy.accepted).toBe(1);

      proxy.dropNextConnectionAfter(latency * 7.9);
      proxy.dropAll();
      for (let i = 0; i < total; i++) {
        ch.sendToQueue(queue, Buffer.from(`{"n":${i}}`), {
          messageId: `drops-${i}`,
        });
      }
      await ch.waitForConfirms();
      const deadline = Date.now() + 120_000;
      while ((await stored()) < total && Date.now() < deadline)
        await sleep(250);
      expect(await stored()).toBe(total);
      // The first reconnect was dropped, so at least one more followed.
      expect(proxy.accepted).toBeGreaterThanOrEqual(3);
      // Settled on one connection and one consumer: no second consumer left
      // behind holding deliveries it would never acknowledge.
      const settle = Date.now() + 30_000;
      while (
        (proxy.connections !== 1 || consumersOn(queue) !== 1) &&
        Date.now() < settle
      )
        await sleep(250);
      expect(proxy.connections).toBe(1);
      expect(consumersOn(queue)).toBe(1);
      // Everything acknowledged: stopping returns nothing to the queue.
      await running.stop();
      stopped = true;
      expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    } finally {
      if (!stopped) await running.stop();
      await proxy.cut();
      await ch.deleteQueue(queue).catch(() => {});
      await connection.close().catch(() => {});
    }
  });

  it('pauses while the database is unreachable, without requeue loops, and resumes', async () => {
    if (!available) return;
    const queue = `lunar-test-dbdown-${Math.random().toString(36).slice(2, 8)}`;
    const connection = await amqp.connect(AMQP_URL);
    const ch = await connection.createConfirmChannel();
    await ch.assertQueue(queue, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum' },
    });
    const direct = await databases.init('POSTGRES_15');
    // The plugin reaches PostgreSQL only through a proxy the test can cut.
    const { proxy, knex: viaProxy } = await postgresThroughProxy(direct, {
      pool: { min: 0, max: 4, acquireTimeoutMillis: 2000 },
      acquireConnectionTimeout: 2000,
    });
    const running = await backend(viaProxy, queue);
    let stopped = false;
    const auth = {
      Authorization: mockCredentials.user.header('user:default/guest'),
    };
    const state = async () =>
      (
        await request(running.server)
          .get('/api/dead-letter/environments')
          .set(auth)
      ).body[0];
    const stored = async () =>
      Number((await direct('dead_letters').count({ c: '*' }))[0].c);
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        ch.sendToQueue(queue, Buffer.from(`{"n":${i}}`), {
          messageId: `dbdown-${i}`,
        });
      }
      await ch.waitForConfirms();
    };
    try {
      await publish(0, 200);
      while ((await stored()) < 200) await sleep(100);

      await proxy.cut();
      // A trickle first, as dead-lettering goes on during an outage: the
      // queue is empty between messages, which is no moment to cancel (a
      // message published meanwhile would reach the cancelled consumer and
      // be handed back marked as redelivered).
      for (let i = 200; i < 260; i++) {
        await publish(i, i + 1);
        await sleep(15);
      }
      await publish(260, 700);
      // Paused, saying why; the messages wait in the queue, delivered at
      // most once each (no nack/requeue loop).
      for (let s = await state(); s.state !== 'paused'; s = await state())
        await sleep(100);
      expect((await state()).reason).toMatch(/database unavailable/);
      // The consumer is cancelled. (A quorum queue's declare-ok still counts
      // a cancelled consumer that holds unacked deliveries; list_consumers
      // shows only active ones.)
      const consumers = () => consumersOn(queue);
      const cancelDeadline = Date.now() + 15_000;
      while (consumers() > 0 && Date.now() < cancelDeadline) await sleep(200);
      expect(consumers()).toBe(0);
      // The rest wait in the queue, steadily: no nack/requeue churn.
      const ready1 = (await ch.checkQueue(queue)).messageCount;
      await sleep(2000);
      const ready2 = (await ch.checkQueue(queue)).messageCount;
      expect(ready2).toBe(ready1);
      expect(ready1).toBeGreaterThanOrEqual(200);
      expect(await stored()).toBe(200);

      await proxy.restore();
      const deadline = Date.now() + 120_000;
      while ((await stored()) < 700 && Date.now() < deadline) await sleep(250);
      expect(await stored()).toBe(700);
      const ids = await direct('dead_letters').select('message_id');
      expect(new Set(ids.map(r => r.message_id)).size).toBe(700);
      // Quorum queues mark requeued deliveries with x-delivery-count: none
      // of the stored messages was ever handed back to the queue.
      const requeued = await direct('dead_letters')
        .whereRaw(`headers::text like '%x-delivery-count%'`)
        .count({ c: '*' });
      expect(Number(requeued[0].c)).toBe(0);
      // Resumed: consuming again, with exactly one consumer on the queue.
      // The broker's consumer list can trail the consumer's own state, so
      // wait for both as the cancellation above is waited for.
      const resumeDeadline = Date.now() + 15_000;
      while (
        ((await state()).state !== 'consuming' || consumers() !== 1) &&
        Date.now() < resumeDeadline
      )
        await sleep(200);
      expect((await state()).state).toBe('consuming');
      expect(consumers()).toBe(1);
      // Nothing left, not even unacked: stopping would have returned it.
      await running.stop();
      stopped = true;
      expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    } finally {
      if (!stopped) await running.stop();
      await viaProxy.destroy();
      await proxy.cut();
      await ch.deleteQueue(queue).catch(() => {});
      await connection.close().catch(() => {});
    }
  });
});
