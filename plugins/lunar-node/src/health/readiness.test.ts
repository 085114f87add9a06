import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { startTestBackend, TestDatabases } from '@backstage/backend-test-utils';
import {
  postgresThroughProxy,
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import request from 'supertest';
import {
  databaseReadinessCheck,
  readinessChecksServiceRef,
  rootHealthServiceFactory,
} from './readiness';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

describe('rootHealthServiceFactory', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('reports not ready while a plugin database is unreachable, and ready again after', async () => {
    if (!(await requirePostgres())) return;
    const direct = await databases.init('POSTGRES_15');
    const { proxy, knex } = await postgresThroughProxy(direct, {
      password: 'not-shown',
      pool: { min: 0, max: 2 },
      acquireConnectionTimeout: 2000,
    });
    const plugin = createBackendPlugin({
      pluginId: 'probe',
      register(reg) {
        reg.registerInit({
          deps: {
            readiness: readinessChecksServiceRef,
            database: coreServices.database,
          },
          async init({ readiness }) {
            readiness.add(
              databaseReadinessCheck('probe database', async () => knex),
            );
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [plugin, rootHealthServiceFactory],
    });
    const readiness = () =>
      request(backend.server).get('/.backstage/health/v1/readiness');
    try {
      const up = await readiness();
      expect(up.status).toBe(200);
      expect(up.body).toEqual({ status: 'ok' });

      await proxy.cut();
      const down = await readiness();
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        status: 'error',
        failed: ['probe database'],
      });
      expect(down.text).not.toMatch(/not-shown|5432|select|ECONNREFUSED/);
      expect(
        (await request(backend.server).get('/.backstage/health/v1/liveness'))
          .status,
      ).toBe(200);

      await proxy.restore();
      const started = Date.now();
      let again = await readiness();
      while (again.status !== 200 && Date.now() - started < 10_000) {
        await new Promise(r => setTimeout(r, 200));
        again = await readiness();
      }
      expect(again.status).toBe(200);
    } finally {
      await backend.stop();
      await knex.destroy();
      await proxy.cut();
    }
  });
});
