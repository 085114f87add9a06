import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import request from 'supertest';
import catalogModuleShuttle from '.';
import {
  STAND_IN_TOKEN,
  StandInGithub,
  repositoryFiles,
} from './__testUtils__/standInGithub';

const REPOSITORIES = 20;

/**
 * Through a real catalog: GitHub url locations are read by the module's
 * processor (tree + blobs, then 304s), never by the catalog's per-file URL
 * reader (contents API).
 */
describe('catalog module shuttle: GitHub url locations', () => {
  jest.setTimeout(120_000);
  const github = new StandInGithub();

  beforeAll(async () => {
    await github.start();
    for (let i = 0; i < REPOSITORIES; i++) {
      github.repos.set(`lunarway/repo-${i}`, repositoryFiles(i));
    }
  });
  afterAll(() => github.stop());

  it('reads each repository once, then answers every later processing with a 304', async () => {
    const { server } = await startTestBackend({
      features: [
        catalogBackend,
        catalogModuleShuttle,
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            integrations: {
              github: [
                {
                  host: 'github.com',
                  apiBaseUrl: github.baseUrl,
                  token: STAND_IN_TOKEN,
                },
              ],
            },
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [{ allow: ['Component', 'API', 'Resource', 'Location'] }],
              locations: Array.from({ length: REPOSITORIES }, (_, i) => ({
                type: 'url',
                target: `https://github.com/lunarway/repo-${i}/blob/main/shuttle.yaml`,
              })),
            },
          },
        }),
      ],
    });
    const auth = {
      Authorization: mockCredentials.user.header('user:default/guest'),
    };
    const components = async () => {
      const res = await request(server)
        .get('/api/catalog/entities?filter=kind=component')
        .set(auth);
      expect(res.status).toBe(200);
      return (res.body as any[]).map(e => e.metadata.name).sort();
    };
    const treeRequests = () =>
      [...github.requestsByPath.entries()]
        .filter(([p]) => p.includes('/git/trees/'))
        .reduce((n, [, c]) => n + c, 0);

    // repo-3 has a catalog-info.yaml, so its shuttle.yaml emits nothing.
    const expected = Array.from({ length: REPOSITORIES }, (_, i) => i)
      .filter(i => i !== 3)
      .map(i => `svc-${i}`)
      .sort();
    for (
      let t = 0;
      t < 300 && (await components()).length < expected.length;
      t++
    ) {
      await new Promise(r => setTimeout(r, 200));
    }
    expect(await components()).toEqual(expected);

    // Wait for at least two more processings of every location.
    const blobsAfterFirst = github.statuses.get(200);
    const treesAfterFirst = treeRequests();
    for (
      let t = 0;
      t < 300 && treeRequests() < treesAfterFirst + 2 * REPOSITORIES;
      t++
    ) {
      await new Promise(r => setTimeout(r, 200));
    }
    expect(treeRequests()).toBeGreaterThanOrEqual(
      treesAfterFirst + 2 * REPOSITORIES,
    );
    // Nothing read with 200 since the first cycle; every later request was a 304.
    expect(github.statuses.get(200)).toBe(blobsAfterFirst);
    expect(blobsAfterFirst).toBe(REPOSITORIES * 2 + 5); // trees, shuttle.yaml, 5 OpenAPI files
    expect(github.statuses.get(304)).toBe(github.conditionalRequests);
    expect(github.conditionalRequests).toBeGreaterThanOrEqual(2 * REPOSITORIES);
    // The catalog's own URL reader (contents API) was never used.
    expect(
      [...github.requestsByPath.keys()].filter(p => p.includes('/contents/')),
    ).toEqual([]);
    expect(await components()).toEqual(expected);
  });
});
