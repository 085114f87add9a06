import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  OpenApiDocument,
  fuzzOpenApi,
  requirePostgres,
  servedOperations,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { squadOverviewPlugin } from '../plugin';
import { DatabasePulseStore } from '../database/DatabasePulseStore';
import { createRouter } from './router';

useLocalPostgresForTestDatabases();
jest.setTimeout(120_000);

const document = OpenApiDocument.fromFile(
  require.resolve('@internal/plugin-squad-overview-common/openapi.yaml'),
);

const group = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'squad', children: [] },
});

describe('squad-overview API against its openapi.yaml', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('serves exactly the documented operations', async () => {
    const router = await createRouter({
      overview: {} as any,
      pullRequests: {} as any,
      catalog: catalogServiceMock(),
      httpAuth: mockServices.httpAuth(),
      releaseEvents: false,
      logger: mockServices.logger.mock(),
    });
    expect(servedOperations(router)).toEqual(
      document.operations.map(o => `${o.method} ${o.path}`).sort(),
    );
  });

  it('survives generated valid and hostile input as a user, a service and no one', async () => {
    if (!(await requirePostgres())) return;
    const knex = await databases.init('POSTGRES_15');
    const store = await DatabasePulseStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insertEvents(
      Array.from({ length: 60 }, (_, i) => ({
        dedupKey: `fuzz-${i}`,
        kind: 'released' as const,
        occurredAt: new Date(Date.UTC(2026, 10, 1, 12, i)).toISOString(),
        squad: 'group:default/squad-nasa',
        entityRef: i % 2 ? 'component:default/authentication' : null,
        service: 'authentication',
        environment: 'prod',
        actor: 'Ada',
        summary: `authentication was released to prod by Ada (${i})`,
      })),
    );
    const { server } = await startTestBackend({
      features: [
        squadOverviewPlugin,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({
          entities: [group('squad-nasa'), group('squad-gemini')],
        }),
        mockServices.rootConfig.factory({ data: {} }),
        mockServices.rootLogger.factory({ level: 'error' }),
      ],
    });
    const report = await fuzzOpenApi({
      document,
      server,
      basePath: '/api/squad-overview',
      seed: 20261207,
      principals: {
        user: {
          Authorization: mockCredentials.user.header('user:default/guest'),
        },
        service: { Authorization: mockCredentials.service.header() },
        none: { Authorization: mockCredentials.none.header() },
      },
      casesFor: { none: 5 },
      casesPerOperation: 150,
      values: {
        squad: ['squad-nasa', 'group:default/squad-nasa', 'squad-gemini'],
        owner: ['squad-nasa', 'group:default/squad-gemini'],
        limit: ['1', '20', '200'],
      },
    });
    expect(report.failures).toEqual([]);
    expect(report.requests).toBeGreaterThan(500);
    // Valid input got through to real answers for every operation.
    expect(Object.keys(report.okByOperation).sort()).toEqual(
      document.operations.map(o => o.operationId).sort(),
    );
  });
});
