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
  OpenApiDocument,
  postgresThroughProxy,
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import request from 'supertest';
import { squadOverviewPlugin } from './plugin';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

const document = OpenApiDocument.fromFile(
  require.resolve('@internal/plugin-squad-overview-common/openapi.yaml'),
);
const getPulse = document.operations.find(o => o.operationId === 'getPulse')!;

/** The pulse API while its database is cut off, through a TCP proxy. */
describe('squad-overview API during a database outage', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('answers 503 with Retry-After and no internals, and serves again after', async () => {
    if (!(await requirePostgres())) return;
    const direct = await databases.init('POSTGRES_15');
    const { proxy, knex } = await postgresThroughProxy(direct, {
      password: 'never-shown',
      pool: { min: 0, max: 3 },
      acquireConnectionTimeout: 3000,
    });
    const backend = await startTestBackend({
      features: [
        squadOverviewPlugin,
        rootHealthServiceFactory,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Group',
              metadata: { name: 'squad-nasa', namespace: 'default' },
              spec: { type: 'squad', children: [] },
            },
          ],
        }),
        mockServices.rootConfig.factory({ data: {} }),
        mockServices.rootLogger.factory({ level: 'error' }),
      ],
    });
    const pulse = () =>
      request(backend.server)
        .get('/api/squad-overview/pulse?squad=squad-nasa')
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/guest'),
        );
    const readiness = async () =>
      (await request(backend.server).get('/.backstage/health/v1/readiness'))
        .status;
    try {
      expect((await pulse()).status).toBe(200);
      expect(await readiness()).toBe(200);

      await proxy.cut();
      const down = await pulse();
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBe('5');
      expect(containsUnsafeDetail(down.text)).toBe(false);
      expect(down.text).not.toMatch(/pulse_events|never-shown|ECONN|\n\s+at /);
      expect(document.problems(getPulse, down.status, down.body)).toEqual([]);
      expect(await readiness()).toBe(503);

      await proxy.restore();
      const started = Date.now();
      let up = await pulse();
      while (up.status !== 200 && Date.now() - started < 10_000) {
        await new Promise(r => setTimeout(r, 100));
        up = await pulse();
      }
      expect(up.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await readiness()).toBe(200);
    } finally {
      await backend.stop();
      await knex.destroy();
      await proxy.cut();
    }
  });
});
