import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  OpenApiDocument,
  fuzzOpenApi,
  servedOperations,
} from '@internal/plugin-lunar-test-utils';
import { releaseStatusPlugin } from '../plugin';
import { makeGitRepo, tempDir } from '../__testUtils__/gitRepo';
import { startReleaseManager } from '../__testUtils__/releaseManager';
import { createRouter } from './router';
import { component } from '../__testUtils__/catalog';

jest.setTimeout(120_000);

const document = OpenApiDocument.fromFile(
  require.resolve('@internal/plugin-release-status-common/openapi.yaml'),
);
const DAY = 86_400_000;

describe('release-status API against its openapi.yaml', () => {
  it('serves exactly the documented operations', async () => {
    const router = await createRouter({
      environments: ['dev'],
      store: {} as any,
      refresher: {} as any,
      catalog: catalogServiceMock(),
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions(),
      auditor: mockServices.auditor.mock(),
      logger: mockServices.logger.mock(),
    });
    expect(servedOperations(router)).toEqual(
      document.operations.map(o => `${o.method} ${o.path}`).sort(),
    );
  });

  it('survives generated valid and hostile input as a user, a service and no one', async () => {
    const repos = tempDir();
    const now = Date.now();
    await makeGitRepo(
      repos.dir,
      'card-clearing',
      [
        { ageMs: 20 * DAY, tags: ['prod'] },
        { ageMs: 6 * DAY, tags: ['staging'] },
        { ageMs: DAY, tags: ['dev'] },
      ],
      { now },
    );
    const rm = await startReleaseManager({ token: 'rm-token', now });
    const { server } = await startTestBackend({
      features: [
        releaseStatusPlugin,
        catalogServiceMock.factory({
          entities: [
            component('card-clearing', 'squad-gemini'),
            component('broken', 'squad-gemini'),
            component('ghost', 'squad-mercury'),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            releaseStatus: {
              releaseManager: { baseUrl: rm.url, token: 'rm-token' },
              git: { localDirectory: repos.dir },
            },
          },
        }),
        mockServices.rootLogger.factory({ level: 'error' }),
      ],
    });
    try {
      const report = await fuzzOpenApi({
        document,
        server,
        basePath: '/api/release-status',
        seed: 20261207,
        principals: {
          user: { Authorization: mockCredentials.user.header() },
          service: { Authorization: mockCredentials.service.header() },
          none: { Authorization: mockCredentials.none.header() },
        },
        casesFor: { none: 5 },
        casesPerOperation: 120,
        values: {
          entityRef: [
            'component:default/card-clearing',
            'card-clearing',
            'component:default/broken',
            'component:default/ghost',
          ],
          owner: ['squad-gemini', 'group:default/squad-mercury'],
          refresh: ['true', 'false'],
        },
      });
      expect(report.failures).toEqual([]);
      expect(report.requests).toBeGreaterThan(400);
      expect(Object.keys(report.okByOperation).sort()).toEqual(
        document.operations.map(o => o.operationId).sort(),
      );
    } finally {
      await rm.close();
      repos.remove();
    }
  });
});
