import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import deadLetterPlugin from '.';
import { DatabaseDeadLetterStore } from './database/DatabaseDeadLetterStore';
import { eventually, failingService, topology } from './__testUtils__/amqp';
import { newDeadLetter } from './__testUtils__/rows';
import {
  AMQP_URL,
  useBrokerAndDatabase,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';

useLocalPostgresForTestDatabases();
jest.setTimeout(120_000);

const user = {
  Authorization: mockCredentials.user.header('user:default/mette.hansen'),
};

describe('redelivery previews on real RabbitMQ and PostgreSQL', () => {
  const services = useBrokerAndDatabase();
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  async function start(knex: any, environment: object) {
    return startTestBackend({
      features: [
        deadLetterPlugin,
        mockServices.database.factory({ knex }),
        mockServices.rootLogger.factory({ level: 'error' }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: { deadLetter: { environments: [environment] } },
        }),
      ],
    });
  }

  it('counts by target, service and error group, warns of missing targets, and a job of its token leaves later arrivals alone', async () => {
    if (!services.available) return;
    const suffix = Math.random().toString(36).slice(2, 8);
    const { names, ch, cleanup } = await topology(services.connection, suffix);
    // An exchange that existed when its messages died, deleted since.
    const gone = `lunar-test-gone-${suffix}`;
    await ch.assertExchange(gone, 'topic', { durable: false });
    await ch.deleteExchange(gone);
    const missingQueue = `test-${suffix}_no-such-queue`;
    const knex = await databases.init('POSTGRES_15');
    const store = await DatabaseDeadLetterStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insertBatch([
      ...Array.from({ length: 30 }, (_, i) =>
        newDeadLetter({
          exchange: names.work,
          routingKey: names.routingKey,
          messageId: `previewed-${i}`,
          properties: { messageId: `previewed-${i}` },
          error: `ctx handler: record ${1000 + i} not found`,
        }),
      ),
      ...Array.from({ length: 10 }, () =>
        newDeadLetter({
          service: 'card-clearing',
          exchange: gone,
          routingKey: 'card.cleared',
          error: 'ctx handler: insufficient_funds: insufficient funds',
        }),
      ),
      ...Array.from({ length: 5 }, () =>
        newDeadLetter({
          service: 'loans',
          exchange: '',
          routingKey: missingQueue,
          error: null,
        }),
      ),
    ]);
    const backend = await start(knex, {
      name: 'dev',
      amqp: { url: AMQP_URL, queue: names.dlq, prefetch: 100 },
      redelivery: { defaultRate: 50, maxRate: 1000 },
    });
    const api = (body: object) =>
      request(backend.server)
        .post('/api/dead-letter/redeliveries')
        .set(user)
        .send({ environment: 'dev', ...body });
    const back = await services.connection.createChannel();
    try {
      const all = await api({ filter: {}, dryRun: true });
      expect(all.status).toBe(200);
      expect(all.body.total).toBe(45);
      expect(all.body.breakdown).toEqual({
        byTarget: {
          items: [
            {
              exchange: names.work,
              routingKey: names.routingKey,
              count: 30,
            },
            { exchange: gone, routingKey: 'card.cleared', count: 10 },
            { exchange: '', routingKey: missingQueue, count: 5 },
          ],
          other: 0,
        },
        byService: {
          items: [
            { service: 'term-deposit', count: 30 },
            { service: 'card-clearing', count: 10 },
            { service: 'loans', count: 5 },
          ],
          other: 0,
        },
        byErrorGroup: {
          items: [
            { errorGroup: 'ctx handler: record <n> not found', count: 30 },
            {
              errorGroup: 'ctx handler: insufficient_funds: insufficient funds',
              count: 10,
            },
            { errorGroup: null, count: 5 },
          ],
          other: 0,
        },
      });
      expect(all.body.warnings).toEqual([
        expect.objectContaining({
          code: 'exchange-missing',
          exchange: gone,
          count: 10,
        }),
        expect.objectContaining({
          code: 'queue-missing',
          queue: missingQueue,
          count: 5,
        }),
      ]);
      expect(all.body.checked).toEqual({ targets: true, bindings: false });
      expect(all.body.samples).toHaveLength(5);
      expect(Object.keys(all.body.samples[0]).sort()).toEqual(
        [
          'deadLetteredAt',
          'error',
          'exchange',
          'id',
          'queue',
          'routingKey',
          'service',
        ].sort(),
      );

      // Preview the term-deposit messages; then 7 more of them are
      // dead-lettered by the (failing) service and stored by the consumer.
      const filter = { routingKey: names.routingKey };
      const preview = await api({ filter, dryRun: true });
      expect(preview.body).toMatchObject({ total: 30, warnings: [] });
      const stopFailing = await failingService(ch, names.queue);
      for (let i = 0; i < 7; i++)
        ch.publish(names.work, names.routingKey, Buffer.from('{}'), {
          messageId: `late-${i}`,
        });
      await eventually(
        async () => (await store.count('dev', { filter })) === 37,
        'the 7 late messages to be stored',
      );
      await stopFailing();

      const arrived: string[] = [];
      await back.consume(names.queue, msg => {
        if (!msg) return;
        arrived.push(msg.properties.messageId);
        back.ack(msg);
      });
      const created = await api({
        filter,
        rate: 1000,
        previewToken: preview.body.previewToken,
      });
      expect(created.status).toBe(202);
      expect(created.body.progress).toMatchObject({
        total: 30,
        previewed: 30,
        arrivedAfterPreview: 7,
        goneSincePreview: 0,
      });
      const done = await eventually(async () => {
        const job = await request(backend.server)
          .get(`/api/dead-letter/redeliveries/${created.body.id}`)
          .set(user);
        return job.body.state === 'done' && job.body;
      }, 'the job to finish');
      expect(done.progress).toMatchObject({
        published: 30,
        failed: 0,
        arrivedAfterPreview: 7,
      });
      await eventually(async () => arrived.length >= 30, '30 arrivals');
      await new Promise(r => setTimeout(r, 500));
      expect(arrived.sort()).toEqual(
        Array.from({ length: 30 }, (_, i) => `previewed-${i}`).sort(),
      );
      // The late ones are still stored, untouched.
      const left = await store.list('dev', filter, { limit: 50 });
      expect(left.totalCount).toBe(7);
      expect(left.items.every(m => m.queue === names.queue)).toBe(true);
    } finally {
      await back.close().catch(() => {});
      await backend.stop();
      await cleanup();
    }
  });

  it('warns, quickly, that targets were not checked when the broker is unreachable', async () => {
    if (!services.available) return;
    const knex = await databases.init('POSTGRES_15');
    const store = await DatabaseDeadLetterStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insertBatch([newDeadLetter(), newDeadLetter()]);
    const backend = await start(knex, {
      name: 'dev',
      // Nothing listens there.
      amqp: { url: 'amqp://guest:guest@127.0.0.1:1', queue: 'dead-letters' },
    });
    try {
      const t0 = Date.now();
      const res = await request(backend.server)
        .post('/api/dead-letter/redeliveries')
        .set(user)
        .send({ environment: 'dev', filter: {}, dryRun: true });
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(2);
      expect(res.body.checked).toEqual({ targets: false, bindings: false });
      expect(res.body.warnings).toEqual([
        expect.objectContaining({
          code: 'broker-unreachable',
          message: expect.stringMatching(
            /^broker unreachable, targets not checked/,
          ),
        }),
      ]);
    } finally {
      await backend.stop();
    }
  });
});
