import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import { Knex } from 'knex';
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
import { serviceComponent, squadWithMember } from './__testUtils__/catalog';

useLocalPostgresForTestDatabases();
jest.setTimeout(120_000);

const METTE = 'user:default/mette.hansen';
const JONAS = 'user:default/jonas.berg';

/** squad-mercury (Mette) owns term-deposit; squad-nasa (Jonas) does not. */
const entities = [
  serviceComponent('term-deposit', 'group:default/squad-mercury'),
  ...squadWithMember('squad-mercury', 'mette.hansen'),
  ...squadWithMember('squad-nasa', 'jonas.berg'),
];

describe('a redelivery job that pauses itself notifies the owning squad', () => {
  const services = useBrokerAndDatabase();
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  async function seed(knex: Knex, total: number, exchange: string, rk: string) {
    const store = await DatabaseDeadLetterStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insertBatch(
      Array.from({ length: total }, (_, i) =>
        newDeadLetter({
          environment: 'prod',
          exchange,
          routingKey: rk,
          messageId: `notify-${i}`,
          properties: { messageId: `notify-${i}` },
          body: Buffer.from(JSON.stringify({ n: i })),
        }),
      ),
    );
  }

  it('reaches the squad members (not others) once per job, updated by a second pause', async () => {
    if (!services.available) return;
    const total = 1000;
    const suffix = Math.random().toString(36).slice(2, 8);
    const { names, ch, cleanup } = await topology(services.connection, suffix);
    const knex = await databases.init('POSTGRES_15');
    // The notifications backend has its own database, as in production.
    const notificationsDb = await databases.init('POSTGRES_15');
    await seed(knex, total, names.work, names.routingKey);
    const running = await startTestBackend({
      features: [
        deadLetterPlugin,
        notificationsPlugin,
        createServiceFactory({
          service: coreServices.database,
          deps: { plugin: coreServices.pluginMetadata },
          factory: ({ plugin }) =>
            mockServices.database({
              knex: plugin.getId() === 'notifications' ? notificationsDb : knex,
            }),
        }),
        mockServices.rootLogger.factory({ level: 'error' }),
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            deadLetter: {
              environments: [
                {
                  name: 'prod',
                  amqp: { url: AMQP_URL, queue: names.dlq, prefetch: 100 },
                  batchWaitMs: 20,
                  redelivery: {
                    defaultRate: 50,
                    maxRate: 500,
                    autoPauseRatio: 0.5,
                    autoPauseMinimum: 10,
                  },
                },
              ],
            },
          },
        }),
      ],
    });
    // The target service still rejects everything: RabbitMQ dead-letters
    // each redelivered message again, into the queue the plugin consumes.
    const stopFailing = await failingService(ch, names.queue);
    const as = (user: string) => ({
      Authorization: mockCredentials.user.header(user),
    });
    const api = (method: 'get' | 'post', path: string, user = METTE) =>
      request(running.server)[method](`/api${path}`).set(as(user));
    const notificationsOf = async (user: string) => {
      const res = await api('get', '/notifications/', user);
      expect(res.status).toBe(200);
      return res.body as { totalCount: number; notifications: any[] };
    };
    const job = async (id: string) =>
      (await api('get', `/dead-letter/redeliveries/${id}`)).body;
    try {
      const created = await api('post', '/dead-letter/redeliveries').send({
        environment: 'prod',
        filter: {},
      });
      expect(created.status).toBe(202);
      const id: string = created.body.id;

      const paused = await eventually(async () => {
        const j = await job(id);
        return j.state === 'paused' && j;
      }, 'the job to pause itself');
      expect(paused.pausedReason).toMatch(/^paused itself: /);

      // The squad's member is told, with what to act on and where.
      const first = await eventually(async () => {
        const n = await notificationsOf(METTE);
        return n.totalCount > 0 && n;
      }, "the notification in Mette's list");
      expect(first.totalCount).toBe(1);
      const [note] = first.notifications;
      expect(note).toMatchObject({
        user: METTE,
        origin: 'plugin:dead-letter',
        payload: {
          title: `Redelivery of 1,000 term-deposit messages in prod paused itself: ${paused.progress.refailed.toLocaleString(
            'en-US',
          )} failed again`,
          link: '/dead-letter/redeliveries?environment=prod',
          severity: 'high',
          topic: 'dead-letter-redelivery',
          scope: `dead-letter-redelivery:prod:${id}`,
        },
      });
      expect(note.payload.description).toContain(paused.pausedReason);
      expect(note.payload.description).toContain(
        `Redelivery job ${id} (started by ${METTE})`,
      );
      // Another squad's member is not.
      expect((await notificationsOf(JONAS)).totalCount).toBe(0);

      // Mette reads it and resumes the job; a person's resume turns the
      // auto-pause off for good (the runner's rule), so it is switched on
      // again here to make the same job pause itself a second time.
      const read = await api('post', '/notifications/update').send({
        ids: [note.id],
        read: true,
      });
      expect(read.status).toBe(200);
      expect(
        (await api('post', `/dead-letter/redeliveries/${id}/resume`)).status,
      ).toBe(200);
      await knex('dead_letter_redelivery_jobs')
        .where('id', Number(id))
        .update({ auto_pause: true });
      const pausedAgain = await eventually(async () => {
        const j = await job(id);
        return (
          j.state === 'paused' &&
          j.progress.refailed > paused.progress.refailed &&
          j
        );
      }, 'the job to pause itself again');

      // Still one notification, updated in place and unread again.
      const second = await eventually(async () => {
        const n = await notificationsOf(METTE);
        return n.notifications[0]?.updated && n;
      }, 'the notification to be updated');
      expect(second.totalCount).toBe(1);
      expect(second.notifications[0]).toMatchObject({
        id: note.id,
        payload: {
          title: `Redelivery of 1,000 term-deposit messages in prod paused itself: ${pausedAgain.progress.refailed.toLocaleString(
            'en-US',
          )} failed again`,
        },
      });
      expect(second.notifications[0].read).toBeFalsy();
      const [{ c }] = await notificationsDb('notification')
        .where('scope', `dead-letter-redelivery:prod:${id}`)
        .count({ c: '*' });
      expect(Number(c)).toBe(1);
    } finally {
      await stopFailing();
      await running.stop();
      await cleanup();
    }
  });
});
