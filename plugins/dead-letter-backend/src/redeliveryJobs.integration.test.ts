import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import * as amqp from 'amqplib';
import { Knex } from 'knex';
import request from 'supertest';
import deadLetterPlugin from '.';
import { readDeadLetterConfig, BrokerEnvironmentConfig } from './config';
import { RedeliveryPublishers } from './consumer/RedeliveryPublisher';
import {
  JOB_HEADER,
  REDELIVERY_ID_HEADER,
  ROW_HEADER,
} from './consumer/headers';
import { DatabaseDeadLetterStore } from './database/DatabaseDeadLetterStore';
import { DatabaseRedeliveryJobStore } from './database/DatabaseRedeliveryJobStore';
import { RedeliveryRunner } from './service/RedeliveryRunner';
import { failingService, topology } from './__testUtils__/amqp';
import { recordingAuditor } from './__testUtils__/recordingAuditor';
import { newDeadLetter } from './__testUtils__/rows';
import {
  AMQP_URL,
  useBrokerAndDatabase,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { ConfigReader } from '@backstage/config';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  SignalPayload,
  signalsServiceRef,
} from '@backstage/plugin-signals-node';

useLocalPostgresForTestDatabases();
jest.setTimeout(120_000);

const user = {
  Authorization: mockCredentials.user.header('user:default/mette.hansen'),
};
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** A redelivered message as the work queue's consumer saw it. */
interface Arrival {
  at: number;
  messageId: string;
  job: string;
  redeliveryId: string;
  row: string;
  routingKey: string;
}

/** Consumes the work queue, recording every message and when it came. */
async function consumeBack(connection: amqp.ChannelModel, queue: string) {
  const ch = await connection.createChannel();
  const arrivals: Arrival[] = [];
  await ch.consume(queue, msg => {
    if (!msg) return;
    const h = msg.properties.headers ?? {};
    arrivals.push({
      at: Date.now(),
      messageId: msg.properties.messageId,
      job: String(h[JOB_HEADER]),
      redeliveryId: String(h[REDELIVERY_ID_HEADER]),
      row: String(h[ROW_HEADER]),
      routingKey: msg.fields.routingKey,
    });
    ch.ack(msg);
  });
  return { arrivals, close: () => ch.close().catch(() => {}) };
}

describe('redelivery jobs on real RabbitMQ and PostgreSQL', () => {
  const services = useBrokerAndDatabase();
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  const config = (dlq: string) => ({
    deadLetter: {
      environments: [
        {
          name: 'dev',
          amqp: { url: AMQP_URL, queue: dlq, prefetch: 100 },
          redelivery: { defaultRate: 50, maxRate: 500 },
        },
      ],
    },
  });

  async function seed(knex: Knex, total: number, exchange: string, rk: string) {
    const store = await DatabaseDeadLetterStore.create({
      database: mockServices.database({ knex }),
    });
    const rows = Array.from({ length: total }, (_, i) =>
      newDeadLetter({
        environment: 'dev',
        exchange,
        routingKey: rk,
        messageId: `job-${i}`,
        properties: { messageId: `job-${i}` },
        headers: { 'x-tenant': 'lunar-dk' },
        body: Buffer.from(JSON.stringify({ n: i })),
      }),
    );
    for (let i = 0; i < rows.length; i += 1000)
      await store.insertBatch(rows.slice(i, i + 1000));
    return store;
  }

  /**
   * Stored messages, their job store, a consumer of the work queue and
   * `runner(publishers)`: a replica's runner with a short lease, as the
   * takeover tests run them.
   */
  async function runnerSetup(total: number) {
    const suffix = Math.random().toString(36).slice(2, 8);
    const { names, cleanup } = await topology(services.connection, suffix);
    const knex = await databases.init('POSTGRES_15');
    const deadLetters = await seed(knex, total, names.work, names.routingKey);
    const jobs = new DatabaseRedeliveryJobStore(knex, deadLetters);
    const consumer = await consumeBack(services.connection, names.queue);
    const env = readDeadLetterConfig(new ConfigReader(config(names.dlq)))
      .environments[0] as BrokerEnvironmentConfig;
    const runner = (publishers: RedeliveryPublishers) =>
      new RedeliveryRunner({
        jobs,
        publishers,
        environment: () => env,
        logger: mockServices.logger.mock(),
        timings: { leaseMs: 1_500, renewMs: 500, pollMs: 100 },
      });
    return { names, cleanup, knex, jobs, consumer, runner };
  }

  it('publishes at its rate, pauses, resumes and cancels; every published message arrives once', async () => {
    if (!services.available) return;
    const total = 5000;
    const suffix = Math.random().toString(36).slice(2, 8);
    const { names, cleanup } = await topology(services.connection, suffix);
    const knex = await databases.init('POSTGRES_15');
    await seed(knex, total, names.work, names.routingKey);
    const audit = recordingAuditor();
    const signals: SignalPayload[] = [];
    const running = await startTestBackend({
      features: [
        deadLetterPlugin,
        audit.factory,
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({
            publish: async (signal: SignalPayload<any>) => {
              signals.push(signal);
            },
          }),
        }),
        mockServices.database.factory({ knex }),
        mockServices.rootLogger.factory({ level: 'warn' }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({ data: config(names.dlq) }),
      ],
    });
    const consumer = await consumeBack(services.connection, names.queue);
    const api = (method: 'get' | 'post', path: string) =>
      request(running.server)[method](`/api/dead-letter${path}`).set(user);
    try {
      // Above the environment's maximum: refused, saying so.
      const tooFast = await api('post', '/redeliveries').send({
        environment: 'dev',
        filter: {},
        rate: 501,
      });
      expect(tooFast.status).toBe(400);
      expect(tooFast.body.error.message).toMatch(/maximum of 500 msg\/s/);

      const created = await api('post', '/redeliveries').send({
        environment: 'dev',
        filter: {},
        rate: 200,
      });
      expect(created.status).toBe(202);
      expect(created.body).toMatchObject({
        environment: 'dev',
        createdBy: 'user:default/mette.hansen',
        rate: 200,
        selection: { filter: {} },
        squads: ['squad-mercury'],
        services: ['term-deposit'],
        progress: { total, published: 0, remaining: total },
      });
      const id: string = created.body.id;

      // The rate, measured where the messages arrive, over 5 seconds.
      while (consumer.arrivals.length === 0) await sleep(10);
      const t0 = consumer.arrivals[0].at;
      await sleep(5_000 - (Date.now() - t0));
      const measured =
        consumer.arrivals.filter(a => a.at < t0 + 5_000).length / 5;
      if (process.env.REDELIVERY_FIGURES)
        process.stdout.write(`measured ${measured} msg/s\n`);
      expect(measured).toBeGreaterThanOrEqual(180);
      expect(measured).toBeLessThanOrEqual(220);
      const progress = (await api('get', `/redeliveries/${id}`)).body;
      expect(progress.state).toBe('running');
      expect(progress.progress.currentRate).toBeGreaterThan(150);
      expect(progress.progress.etaSeconds).toBeGreaterThan(0);

      // Pause: nothing more arrives.
      const paused = await api('post', `/redeliveries/${id}/pause`);
      expect(paused.status).toBe(200);
      expect(paused.body.state).toBe('paused');
      const pausedAt = Date.now();
      await sleep(2_000);
      const lateAfterPause = consumer.arrivals.filter(
        a => a.at > pausedAt + 300,
      );
      expect(lateAfterPause).toEqual([]);
      const atPause = consumer.arrivals.length;
      expect((await api('post', `/redeliveries/${id}/pause`)).status).toBe(409);

      // Resume: it goes on.
      const resumed = await api('post', `/redeliveries/${id}/resume`);
      expect(resumed.status).toBe(200);
      while (consumer.arrivals.length < atPause + 300) await sleep(20);

      // Cancel: nothing arrives more than a second after the answer.
      const cancelled = await api('post', `/redeliveries/${id}/cancel`);
      expect(cancelled.status).toBe(200);
      const cancelledAt = Date.now();
      await sleep(2_000);
      expect(consumer.arrivals.filter(a => a.at > cancelledAt + 1_000)).toEqual(
        [],
      );

      // Counts add up, and match what arrived, exactly once each.
      const job = (await api('get', `/redeliveries/${id}`)).body;
      expect(job.state).toBe('cancelled');
      const p = job.progress;
      expect(p.published + p.failed + p.remaining).toBe(total);
      expect(p.failed).toBe(0);
      expect(p.duplicateWindow).toBe(0);
      expect(p.published).toBeGreaterThan(1_300);
      expect(p.remaining).toBeGreaterThan(0);
      expect(consumer.arrivals).toHaveLength(p.published);
      expect(new Set(consumer.arrivals.map(a => a.redeliveryId)).size).toBe(
        p.published,
      );
      expect(new Set(consumer.arrivals.map(a => a.messageId)).size).toBe(
        p.published,
      );
      expect(
        consumer.arrivals.every(
          a => a.job === id && a.routingKey === names.routingKey,
        ),
      ).toBe(true);
      // Published rows are gone, the rest stay stored.
      const [{ c }] = await knex('dead_letters').count({ c: '*' });
      expect(Number(c)).toBe(p.remaining);
      const stillStored = await knex('dead_letters')
        .whereIn(
          'id',
          consumer.arrivals.slice(0, 500).map(a => Number(a.row)),
        )
        .count({ c: '*' });
      expect(Number(stillStored[0].c)).toBe(0);

      // Every state and the progress in between were pushed on the
      // environment's channel.
      const pushed = signals.map(x => x.message as any);
      expect(
        signals.every(x => x.channel === 'dead-letter:redeliveries:dev'),
      ).toBe(true);
      expect(new Set(pushed.map(m => m.state))).toEqual(
        new Set(['queued', 'running', 'paused', 'cancelled']),
      );
      expect(
        pushed.filter(
          m =>
            m.state === 'running' &&
            m.progress.published > 0 &&
            m.progress.published < p.published,
        ).length,
      ).toBeGreaterThan(5);

      // Listed newest first; every state change audited with the person.
      const list = await api('get', '/redeliveries?environment=dev');
      expect(list.body.items[0]).toMatchObject({ id, state: 'cancelled' });
      const changes = audit.events
        .filter(e => e.eventId.startsWith('dead-letter-redelivery-'))
        .filter(e => e.status === 'succeeded')
        .map(e => [e.eventId, e.actor ?? 'runner']);
      expect(changes).toEqual(
        expect.arrayContaining([
          ['dead-letter-redelivery-create', 'user:default/mette.hansen'],
          ['dead-letter-redelivery-pause', 'user:default/mette.hansen'],
          ['dead-letter-redelivery-resume', 'user:default/mette.hansen'],
          ['dead-letter-redelivery-cancel', 'user:default/mette.hansen'],
          ['dead-letter-redelivery-run', 'runner'],
        ]),
      );
    } finally {
      await consumer.close();
      await running.stop();
      await cleanup();
    }
  });

  it('is taken over by another replica when the one running it dies, losing nothing', async () => {
    if (!services.available) return;
    const total = 1500;
    const { names, cleanup, knex, jobs, consumer, runner } = await runnerSetup(
      total,
    );
    // Replica A: a runner with a short lease, killed mid-job.
    const publishers = new RedeliveryPublishers(mockServices.logger.mock());
    const a = runner(publishers);
    let b: Awaited<ReturnType<typeof startTestBackend>> | undefined;
    try {
      const job = await jobs.create({
        environment: 'dev',
        createdBy: 'user:default/mette.hansen',
        selection: { filter: {} },
        rate: 500,
        ramp: null,
        now: new Date(),
      });
      a.start();
      while (consumer.arrivals.length < 300) await sleep(10);
      // As a SIGKILL would: no more publishes or writes, lease kept.
      a.crash();
      await publishers.close();
      const held = await jobs.get(job.id);
      expect(held).toMatchObject({ state: 'running', leaseOwner: a.owner });

      // Replica B: the whole plugin on the same database.
      b = await startTestBackend({
        features: [
          deadLetterPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootLogger.factory({ level: 'warn' }),
          catalogServiceMock.factory({ entities: [] }),
          mockServices.rootConfig.factory({ data: config(names.dlq) }),
        ],
      });
      const deadline = Date.now() + 30_000;
      let done = await jobs.get(job.id);
      while (done?.state !== 'done' && Date.now() < deadline) {
        await sleep(100);
        done = await jobs.get(job.id);
      }
      expect(done).toMatchObject({
        state: 'done',
        published: total,
        failed: 0,
        leaseOwner: null,
      });
      // Lost none: every message arrived, and no row is left.
      await sleep(500);
      const arrived = new Set(consumer.arrivals.map(a2 => a2.messageId));
      expect(arrived.size).toBe(total);
      const [{ c }] = await knex('dead_letters').count({ c: '*' });
      expect(Number(c)).toBe(0);
      // Messages A published but never recorded came twice, and are
      // counted; consumers tell them apart by the redelivery id.
      const duplicates = consumer.arrivals.length - total;
      expect(duplicates).toBeLessThanOrEqual(done!.duplicateWindow);
      expect(new Set(consumer.arrivals.map(x => x.redeliveryId)).size).toBe(
        total,
      );
    } finally {
      a.crash();
      await consumer.close();
      await b?.stop();
      await cleanup();
    }
  });

  it('without a rate marks the next batch while one is published: a pause lowers the mark again, a crash leaves it counted', async () => {
    if (!services.available) return;
    const total = 12_000;
    const { cleanup, knex, jobs, consumer, runner } = await runnerSetup(total);
    const publishersA = new RedeliveryPublishers(mockServices.logger.mock());
    const publishersB = new RedeliveryPublishers(mockServices.logger.mock());
    const a = runner(publishersA);
    const b = runner(publishersB);
    const itemStates = async (jobId: string) =>
      Object.fromEntries(
        (
          (await knex('dead_letter_redelivery_items')
            .where('job_id', Number(jobId))
            .select('state')
            .count({ c: '*' })
            .groupBy('state')) as Array<{ state: string; c: string | number }>
        ).map(r => [r.state, Number(r.c)]),
      );
    try {
      const job = await jobs.create({
        environment: 'dev',
        createdBy: 'user:default/mette.hansen',
        selection: { filter: {} },
        rate: null,
        ramp: null,
        now: new Date(),
      });
      a.start();
      while (consumer.arrivals.length < 2_500) await sleep(5);

      // Pause: the runner lets go, and the publishing mark goes back below
      // the batch it had marked ahead; what arrived is exactly what was
      // recorded (published items leave the table).
      await jobs.transition(job.id, ['running'], 'paused', new Date());
      a.notify(job.id);
      while (a.running().length) await sleep(10);
      await sleep(300);
      const paused = (await jobs.get(job.id))!;
      expect(paused.state).toBe('paused');
      expect(paused.published).toBeLessThan(total);
      expect(consumer.arrivals).toHaveLength(paused.published);
      expect(await itemStates(job.id)).toEqual({
        queued: total - paused.published,
      });
      const left = await jobs.nextItems(job.id, total);
      expect(left.filter(i => i.state !== 'queued')).toEqual([]);

      // Resumed, then the replica dies mid-way (as a SIGKILL would: its
      // mark stays over the batches it sent or marked ahead); another takes
      // over and finishes.
      await jobs.transition(job.id, ['paused'], 'queued', new Date());
      a.wake();
      while (consumer.arrivals.length < paused.published + 3_000)
        await sleep(5);
      a.crash();
      await publishersA.close();
      b.start();
      const deadline = Date.now() + 60_000;
      let done = await jobs.get(job.id);
      while (done?.state !== 'done' && Date.now() < deadline) {
        await sleep(100);
        done = await jobs.get(job.id);
      }
      expect(done).toMatchObject({
        state: 'done',
        published: total,
        failed: 0,
      });
      await sleep(500);
      // Every message arrived; those A sent but never recorded came twice
      // and are counted, and the count stays within three batches (two
      // at the broker and the one marked ahead).
      expect(new Set(consumer.arrivals.map(x => x.messageId)).size).toBe(total);
      const duplicates = consumer.arrivals.length - total;
      expect(duplicates).toBeLessThanOrEqual(done!.duplicateWindow);
      expect(done!.duplicateWindow).toBeLessThanOrEqual(3_000);
      expect(await itemStates(job.id)).toEqual({});
      const [{ c }] = await knex('dead_letters').count({ c: '*' });
      expect(Number(c)).toBe(0);
    } finally {
      a.crash();
      await b.stop();
      await publishersB.close();
      await consumer.close();
      await cleanup();
    }
  });

  it('answers POST /dead-letters/redeliver within seconds when the broker is down, keeping the rows', async () => {
    if (!services.available) return;
    const knex = await databases.init('POSTGRES_15');
    await seed(knex, 3, 'bankaccount', 'rk');
    const ids = (await knex('dead_letters').select('id')).map(r =>
      String(r.id),
    );
    const down = config('unused');
    // A closed port: nothing answers there.
    down.deadLetter.environments[0].amqp.url = 'amqp://127.0.0.1:1';
    const running = await startTestBackend({
      features: [
        deadLetterPlugin,
        mockServices.database.factory({ knex }),
        mockServices.rootLogger.factory({ level: 'error' }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({ data: down }),
      ],
    });
    try {
      const started = Date.now();
      const res = await request(running.server)
        .post('/api/dead-letter/dead-letters/redeliver')
        .set(user)
        .send({ environment: 'dev', ids });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(res.status).toBe(200);
      expect(res.body.redelivered).toBe(0);
      expect(res.body.failed).toHaveLength(3);
      for (const f of res.body.failed)
        expect(f.reason).toMatch(/^broker unavailable: .*left stored$/);
      const [{ c }] = await knex('dead_letters').count({ c: '*' });
      expect(Number(c)).toBe(3);
      const jobs = await request(running.server)
        .get('/api/dead-letter/redeliveries?environment=dev')
        .set(user);
      expect(jobs.body.items[0]).toMatchObject({
        state: 'cancelled',
        progress: { published: 0, remaining: 3 },
      });
    } finally {
      await running.stop();
    }
  });

  it('pauses itself when its messages are dead-lettered again, and goes on once a person resumes it', async () => {
    if (!services.available) return;
    const total = 200;
    const suffix = Math.random().toString(36).slice(2, 8);
    const { names, ch, cleanup } = await topology(services.connection, suffix);
    const knex = await databases.init('POSTGRES_15');
    await seed(knex, total, names.work, names.routingKey);
    const settings = config(names.dlq);
    Object.assign(settings.deadLetter.environments[0], {
      batchWaitMs: 20,
      redelivery: {
        defaultRate: 50,
        maxRate: 500,
        autoPauseRatio: 0.5,
        autoPauseMinimum: 10,
      },
    });
    const running = await startTestBackend({
      features: [
        deadLetterPlugin,
        mockServices.database.factory({ knex }),
        mockServices.rootLogger.factory({ level: 'error' }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({ data: settings }),
      ],
    });
    // The service still fails every message: RabbitMQ dead-letters each
    // redelivered one again, and the plugin stores it again.
    const stopFailing = await failingService(ch, names.queue);
    const api = (method: 'get' | 'post', path: string) =>
      request(running.server)[method](`/api/dead-letter${path}`).set(user);
    try {
      const created = await api('post', '/redeliveries').send({
        environment: 'dev',
        filter: {},
      });
      expect(created.status).toBe(202);
      const id = created.body.id;
      const get = async () => (await api('get', `/redeliveries/${id}`)).body;
      const deadline = Date.now() + 20_000;
      let job = await get();
      while (job.state !== 'paused' && Date.now() < deadline) {
        await sleep(200);
        job = await get();
      }
      expect(job.state).toBe('paused');
      expect(job.pausedReason).toMatch(
        /^paused itself: \d+ of the \d+ messages it published were dead-lettered again/,
      );
      expect(job.progress.refailed).toBeGreaterThanOrEqual(10);
      expect(job.progress.published).toBeLessThan(total);

      // A person has seen why and resumes: it finishes, pausing no more.
      expect((await api('post', `/redeliveries/${id}/resume`)).status).toBe(
        200,
      );
      const done = Date.now() + 20_000;
      while (job.state !== 'done' && Date.now() < done) {
        await sleep(200);
        job = await get();
      }
      expect(job).toMatchObject({
        state: 'done',
        pausedReason: null,
        progress: { published: total, remaining: 0 },
      });
    } finally {
      await stopFailing();
      await running.stop();
      await cleanup();
    }
  });
});
