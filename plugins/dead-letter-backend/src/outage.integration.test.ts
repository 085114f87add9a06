import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  containsUnsafeDetail,
  rootHealthServiceFactory,
} from '@internal/plugin-lunar-node';
import {
  AMQP_URL,
  OpenApiDocument,
  postgresThroughProxy,
  requirePostgres,
  requireRabbitMq,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import request from 'supertest';
import deadLetterPlugin from '.';
import { DatabaseDeadLetterStore } from './database/DatabaseDeadLetterStore';
import { newDeadLetter } from './__testUtils__/rows';

useLocalPostgresForTestDatabases();
jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const user = {
  Authorization: mockCredentials.user.header('user:default/mette.hansen'),
};

/** What no answer may carry, beyond lunar-node's general check. */
const INTERNALS =
  /dead_letters|"environment"|pg_|ECONN|terminating connection|postgres:|5432|\n\s+at /i;

type Answer = {
  status: number;
  text: string;
  body: unknown;
  retryAfter?: string;
};

const document = OpenApiDocument.fromFile(
  require.resolve('@internal/plugin-dead-letter-common/openapi.yaml'),
);
const listOperation = document.operations.find(
  o => o.operationId === 'listDeadLetters',
)!;

/**
 * The API while the database goes away: the plugin talks to its own
 * PostgreSQL database through a TCP proxy, so a test can terminate its
 * sessions (as a failover does) or cut it off entirely.
 */
describe('dead-letter API during a database outage', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('answers only 200 or 503, never with internals, and serves again within seconds', async () => {
    if (!((await requirePostgres()) && (await requireRabbitMq()))) return;
    const direct = await databases.init('POSTGRES_15');
    const admin = await databases.init('POSTGRES_15');
    const store = await DatabaseDeadLetterStore.create({
      database: mockServices.database({ knex: direct }),
    });
    await store.insertBatch(
      Array.from({ length: 120 }, () => newDeadLetter({ environment: 'dev' })),
    );

    const { proxy, knex, database } = await postgresThroughProxy(direct, {
      password: 'never-shown',
      pool: { min: 0, max: 5 },
      acquireConnectionTimeout: 3000,
    });
    const queue = `lunar-test-outage-${Math.random().toString(36).slice(2, 8)}`;
    const backend = await startTestBackend({
      features: [
        deadLetterPlugin,
        rootHealthServiceFactory,
        mockServices.database.factory({
          knex,
          migrations: { skip: true },
        }),
        mockServices.rootLogger.factory({ level: 'error' }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            deadLetter: {
              environments: [
                { name: 'dev', amqp: { url: AMQP_URL, queue, prefetch: 10 } },
              ],
            },
          },
        }),
      ],
    });
    const server = backend.server;
    const answers: Answer[] = [];
    const list = async (): Promise<Answer> => {
      const res = await request(server)
        .get('/api/dead-letter/dead-letters?environment=dev&limit=20')
        .set(user);
      const answer = {
        status: res.status,
        text: res.text,
        body: res.body,
        retryAfter: res.headers['retry-after'],
      };
      answers.push(answer);
      return answer;
    };
    const readiness = async () =>
      (await request(server).get('/.backstage/health/v1/readiness')).status;
    /** Lists until one answers 200; how long that took. */
    const recovery = async () => {
      const started = Date.now();
      while ((await list()).status !== 200) {
        if (Date.now() - started > 15_000) break;
        await sleep(100);
      }
      return Date.now() - started;
    };

    try {
      expect((await list()).status).toBe(200);
      expect(JSON.parse(answers[0].text).totalCount).toBe(120);
      expect(await readiness()).toBe(200);

      // 1. Sessions terminated again and again during a stream of lists.
      let streaming = true;
      let terminated = 0;
      const stream = Promise.all(
        Array.from({ length: 4 }, async () => {
          while (streaming) await list();
        }),
      );
      for (let i = 0; i < 12; i++) {
        await sleep(250);
        const { rows } = await admin.raw(
          'select pg_terminate_backend(pid) as killed from pg_stat_activity where datname = ? and pid <> pg_backend_pid()',
          [database],
        );
        terminated += rows.filter((r: { killed: boolean }) => r.killed).length;
      }
      streaming = false;
      await stream;
      expect(terminated).toBeGreaterThan(0);
      // Reads are retried on a fresh connection: nearly all are served
      // (without the retry about 5% of these answers were 503s).
      const duringTerminations = answers.slice(1);
      const unavailable = duringTerminations.filter(a => a.status !== 200);
      expect(unavailable.length / duringTerminations.length).toBeLessThan(0.02);
      expect(await recovery()).toBeLessThan(5_000);

      // 2. The database unreachable: 503 with Retry-After, not ready.
      await proxy.cut();
      const during = await list();
      expect(during.status).toBe(503);
      expect(during.retryAfter).toBe('5');
      expect(JSON.parse(during.text).error.message).toMatch(
        /database is unavailable/,
      );
      expect(await readiness()).toBe(503);

      // 3. Back: serves and is ready again within seconds.
      await proxy.restore();
      expect(await recovery()).toBeLessThan(5_000);
      expect(await readiness()).toBe(200);

      const statuses = [...new Set(answers.map(a => a.status))].sort();
      expect(statuses).toEqual(expect.arrayContaining([200, 503]));
      // Every answer is a 200 or a 503 with Retry-After; none that failed
      // carries SQL, a stack, a connection string or a server's address.
      const wrong = answers.filter(
        a =>
          a.status !== 200 &&
          (a.status !== 503 ||
            a.retryAfter !== '5' ||
            containsUnsafeDetail(a.text) ||
            INTERNALS.test(a.text)),
      );
      expect(wrong).toEqual([]);
      // And each is what the API's openapi.yaml says it answers.
      const undocumented = answers.flatMap(a =>
        document
          .problems(listOperation, a.status, a.body)
          .map(p => `${a.status}: ${p}`),
      );
      expect([...new Set(undocumented)]).toEqual([]);
    } finally {
      await backend.stop();
      await knex.destroy();
      await proxy.cut();
    }
  });
});
