import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AMQP_URL,
  fuzzOpenApi,
  OpenApiDocument,
  requirePostgres,
  requireRabbitMq,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import request from 'supertest';
import deadLetterPlugin from '..';
import { DatabaseDeadLetterStore } from '../database/DatabaseDeadLetterStore';
import { newDeadLetter } from '../__testUtils__/rows';

useLocalPostgresForTestDatabases();
jest.setTimeout(180_000);

const document = OpenApiDocument.fromFile(
  require.resolve('@internal/plugin-dead-letter-common/openapi.yaml'),
);

describe('dead-letter API against its openapi.yaml', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('survives generated valid and hostile input as a user, a service and no one', async () => {
    if (!((await requirePostgres()) && (await requireRabbitMq()))) return;
    const knex = await databases.init('POSTGRES_15');
    const store = await DatabaseDeadLetterStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insertBatch(
      Array.from({ length: 300 }, (_, i) =>
        newDeadLetter({
          environment: 'dev',
          service: ['term-deposit', 'card-clearing', 'ghost'][i % 3],
          squad: i % 3 === 2 ? null : 'squad-mercury',
          // Some bodies are JSON, some text, some binary.
          body: [
            Buffer.from(JSON.stringify({ amount: i, iban: 'DK50' })),
            Buffer.from(`plain ${i} æøå`),
            Buffer.from([0xff, 0xfe, i % 256]),
          ][i % 3],
        }),
      ),
    );
    const queue = `lunar-test-fuzz-${Math.random().toString(36).slice(2, 8)}`;
    const { server } = await startTestBackend({
      features: [
        deadLetterPlugin,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootLogger.factory({ level: 'error' }),
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
    const user = {
      Authorization: mockCredentials.user.header('user:default/mette.hansen'),
    };
    const first = await request(server)
      .get('/api/dead-letter/dead-letters?environment=dev&limit=5')
      .set(user);
    expect(first.status).toBe(200);
    const ids: string[] = first.body.items.map((i: { id: string }) => i.id);
    // A slow job, so pause, resume and cancel have something to act on.
    const job = await request(server)
      .post('/api/dead-letter/redeliveries')
      .set(user)
      .send({
        environment: 'dev',
        filter: { service: 'term-deposit' },
        rate: 1,
      });
    expect(job.status).toBe(202);

    const report = await fuzzOpenApi({
      document,
      server,
      basePath: '/api/dead-letter',
      seed: 20261207,
      principals: {
        user,
        service: { Authorization: mockCredentials.service.header() },
        none: { Authorization: mockCredentials.none.header() },
      },
      casesFor: { none: 5, service: 20 },
      casesPerOperation: 60,
      timeBudgetMs: 55_000,
      values: {
        environment: ['dev'],
        id: [...ids, '1', '999999', job.body.id],
        ids: [ids, ['1', '2']],
        cursor: [first.body.nextCursor],
        service: ['term-deposit', 'card-clearing'],
        squad: ['squad-mercury', 'group:default/squad-mercury'],
        groupBy: ['squad', 'service'],
        limit: [1, 50, 500],
        hours: [1, 24, 744],
      },
    });
    expect(report.failures).toEqual([]);
    // What it found once, kept as plain regressions: NUL characters reached
    // PostgreSQL, and ids beyond a bigint overflowed it (both were 500s).
    const nul = await request(server)
      .get('/api/dead-letter/dead-letters?environment=dev&service=a%00b')
      .set(user);
    expect(nul.status).toBe(400);
    expect(nul.body.error.message).toMatch(/NUL/);
    const huge = await request(server)
      .get('/api/dead-letter/dead-letters/99999999999999999999999')
      .set(user);
    expect(huge.status).toBe(404);
    const hugeCursor = Buffer.from(
      JSON.stringify(['2026-11-22T10:00:00.000Z', '9'.repeat(30)]),
    ).toString('base64url');
    const cursor = await request(server)
      .get(`/api/dead-letter/dead-letters?environment=dev&cursor=${hugeCursor}`)
      .set(user);
    expect(cursor.status).toBe(400);
    expect(report.requests).toBeGreaterThan(1000);
    // Valid input got through to real answers for every operation.
    expect(Object.keys(report.okByOperation).sort()).toEqual(
      document.operations.map(o => o.operationId).sort(),
    );
  });
});
