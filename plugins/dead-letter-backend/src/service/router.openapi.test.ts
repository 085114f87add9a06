import fs from 'node:fs';
import { mockServices } from '@backstage/backend-test-utils';
import { parse } from 'yaml';
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
        readers: { groups: [], unmaskedGroups: [] },
      },
      store: {} as any,
      environmentStatus: () => undefined,
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions(),
      transformConditions: () => ({ column: 'squad', values: [] }),
      authorizeResource: () => false,
      auditor: mockServices.auditor.mock(),
      logger: mockServices.logger.mock(),
    });
    const served = new Set<string>();
    for (const layer of (router as any).stack) {
      if (!layer.route) continue;
      for (const method of Object.keys(layer.route.methods)) {
        served.add(`${method} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      }
    }
    const file = require.resolve(
      '@internal/plugin-dead-letter-common/openapi.yaml',
    );
    const doc = parse(fs.readFileSync(file, 'utf8'));
    const documented = new Set<string>();
    for (const [p, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(ops)) documented.add(`${method} ${p}`);
    }
    expect([...served].sort()).toEqual([...documented].sort());
  });
});
