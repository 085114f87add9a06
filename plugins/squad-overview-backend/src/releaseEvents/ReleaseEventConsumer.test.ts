import crypto from 'node:crypto';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import * as amqp from 'amqplib';
import { DatabasePulseStore } from '../database/DatabasePulseStore';
import { PulseStore } from '../database/PulseStore';
import { AMQP_URL, requireRabbitMq } from '@internal/plugin-lunar-test-utils';
import { ReleaseEventConsumer } from './ReleaseEventConsumer';
import { RELEASE_MANAGER_EVENTS_TOPIC } from '@internal/plugin-lunar-common';

jest.setTimeout(60_000);

const NASA = 'group:default/squad-nasa';

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise(r => setTimeout(r, 200));
  }
}

describe('ReleaseEventConsumer against RabbitMQ', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let available = false;
  let connection: amqp.ChannelModel;
  let channel: amqp.Channel;
  const run = crypto.randomUUID().slice(0, 8);
  const exchange = `test-release-manager-${run}`;
  const queue = `test-squad-pulse-${run}`;

  beforeAll(async () => {
    available = await requireRabbitMq();
    if (!available) return;
    connection = await amqp.connect(AMQP_URL);
    channel = await connection.createChannel();
  });
  afterAll(async () => {
    if (!available) return;
    await channel.deleteQueue(queue).catch(() => {});
    await channel.deleteExchange(exchange).catch(() => {});
    await connection.close();
  });

  const publish = (type: string, body: unknown, correlationId: string) =>
    channel.publish(
      exchange,
      `release-manager.${type}`,
      Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
      { type, correlationId },
    );

  it('stores release events once, keeps poison ones, and retries what it could not store', async () => {
    if (!available) return;
    const knex = await databases.init('SQLITE_3');
    const real = await DatabasePulseStore.create({
      database: mockServices.database({ knex }),
    });
    await real.applyCatalogChanges({
      upserts: [
        {
          entityRef: 'component:default/authentication',
          name: 'authentication',
          service: 'authentication',
          owner: NASA,
        },
      ],
      removals: [],
      events: [],
    });
    // The first insert fails, as if the database were down for a moment.
    let failures = 1;
    const store: PulseStore = Object.assign(Object.create(real), {
      insertEvents: (events: Parameters<PulseStore['insertEvents']>[0]) =>
        failures-- > 0
          ? Promise.reject(new Error('database unavailable'))
          : real.insertEvents(events),
    });
    // What release-status hears: each readable event, once it is stored.
    const published: unknown[] = [];
    const eventsService = mockServices.events.mock({
      publish: async params => {
        expect(params.topic).toBe(RELEASE_MANAGER_EVENTS_TOPIC);
        published.push(params.eventPayload);
      },
    });
    const consumer = new ReleaseEventConsumer(
      { url: AMQP_URL, exchange, exchangeType: 'topic', queue, prefetch: 5 },
      { store, logger: mockServices.logger.mock(), events: eventsService },
    );
    consumer.start();
    await eventually(
      async () => consumer.status().state,
      state => state === 'consuming',
    );
    expect(consumer.status()).toEqual({ state: 'consuming', reason: null });

    const released = {
      name: 'authentication',
      environment: 'prod',
      authorName: 'Ada',
      artifactId: 'master-1c1508405e-67e9d69164',
      intentType: 'ReleaseArtifact',
    };
    publish('released', released, 'req-1');
    // The same event delivered twice (a publisher retry): stored once.
    publish('released', released, 'req-1');
    publish(
      'releaseSucceeded',
      { ...released, availablePods: 1, desiredPods: 1 },
      'req-2',
    );
    publish('released', '{poison', 'req-3');

    const events = await eventually(
      () => real.listForSquad(NASA, 10),
      list => list.length >= 2,
    );
    expect(events.map(e => e.summary).sort()).toEqual([
      'authentication master-1c1508405e-67e9d69164 is running in prod (1/1 pods)',
      'authentication was released to prod by Ada (ReleaseArtifact)',
    ]);
    // The poison message was stored, with its body, and acknowledged.
    const unreadable = await eventually(
      () => knex('pulse_events').where('kind', 'unreadable'),
      rows => rows.length === 1,
    );
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0].raw).toBe('{poison');
    // Nothing left in the queue: the poison message was stored and acked.
    const left = await eventually(
      async () => (await channel.checkQueue(queue)).messageCount,
      n => n === 0,
    );
    expect(left).toBe(0);
    // Passed on once stored (the failed first store published nothing);
    // the duplicate is passed on again (harmless: release-status takes
    // events of a service together); the poison message is not.
    const payload = {
      service: 'authentication',
      environment: 'prod',
      artifactId: 'master-1c1508405e-67e9d69164',
    };
    await eventually(
      async () => published.length,
      n => n >= 3,
    );
    expect(published).toEqual(
      expect.arrayContaining([
        { type: 'released', ...payload },
        { type: 'releaseSucceeded', ...payload },
      ]),
    );
    expect(published).toHaveLength(3);
    await consumer.stop();
    expect(consumer.status()).toEqual({ state: 'stopped', reason: null });
    expect(failures).toBeLessThan(0);
  });
});
