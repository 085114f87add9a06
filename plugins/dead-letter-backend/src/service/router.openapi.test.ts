import { mockServices } from '@backstage/backend-test-utils';
import {
  OpenApiDocument,
  servedOperations,
} from '@internal/plugin-lunar-test-utils';
import { createRouter } from './router';

/** Every route the router serves is in the OpenAPI document, and back. */
describe('router and openapi.yaml', () => {
  it('declare the same paths and methods', async () => {
    const router = await createRouter({
      config: {
        environments: [],
        servicePattern: /x/,
        errorHeader: 'x-error',
        squadCacheSeconds: 1,
        readDecisionCacheSeconds: 10,
        readers: { groups: [], unmaskedGroups: [] },
      },
      store: {} as any,
      environmentStatus: () => undefined,
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions(),
      transformConditions: () => ({ column: 'squad', values: [] }),
      authorizeResource: () => false,
      auditor: mockServices.auditor.mock(),
      redeliveries: {} as any,
      logger: mockServices.logger.mock(),
    });
    const document = OpenApiDocument.fromFile(
      require.resolve('@internal/plugin-dead-letter-common/openapi.yaml'),
    );
    expect(servedOperations(router)).toEqual(
      document.operations.map(o => `${o.method} ${o.path}`).sort(),
    );
  });
});
