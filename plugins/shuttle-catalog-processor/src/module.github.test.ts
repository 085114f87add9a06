import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogModuleUnprocessed from '@backstage/plugin-catalog-backend-module-unprocessed';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

  it('answers a location that ends in an error with a 304 too, once its repository was read', async () => {
    jest.setTimeout(180_000);
    const shuttleYaml = (service: string, squad: string, extra = '') =>
      `plan: false\nvars:\n  service: ${service}\n  squad: ${squad}\n${extra}`;
    const repos: Record<string, string> = {
      // db: yes is a string in YAML 1.2: an invalid shuttle.yaml.
      'lunarway/invalid': shuttleYaml('invalid', 'nasa', '  db: yes\n'),
      // No group squad-juno in the catalog, and unknownOwner: error.
      'lunarway/ownerless': shuttleYaml('ownerless', 'juno'),
      // The same name twice: one location keeps it, the other is in conflict.
      'lunarway/payments': shuttleYaml('payments', 'nasa'),
      'lunar-labs/payments': shuttleYaml('payments', 'nasa'),
      'lunarway/fine': shuttleYaml('fine', 'nasa'),
    };
    for (const [name, content] of Object.entries(repos)) {
      github.repos.set(name, new Map([['shuttle.yaml', content]]));
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shuttle-held-'));
    const groups = path.join(dir, 'groups.yaml');
    fs.writeFileSync(
      groups,
      'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: squad-nasa}\nspec: {type: team, children: []}\n',
    );
    const { server } = await startTestBackend({
      features: [
        catalogBackend,
        catalogModuleShuttle,
        // Lists locations that never processed cleanly, with their errors.
        catalogModuleUnprocessed,
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
              shuttle: { unknownOwner: 'error' },
              rules: [
                {
                  allow: ['Component', 'API', 'Resource', 'Location', 'Group'],
                },
              ],
              locations: [
                { type: 'file', target: groups },
                ...Object.keys(repos).map(name => ({
                  type: 'url',
                  target: `https://github.com/${name}/blob/main/shuttle.yaml`,
                })),
              ],
            },
          },
        }),
      ],
    });
    const auth = {
      Authorization: mockCredentials.user.header('user:default/guest'),
    };
    // Processing errors as the catalog keeps them: in the location's status
    // once it had processed cleanly, among the unprocessed entities before.
    const errors = async () => {
      const messages: string[] = [];
      const locations = await request(server)
        .get('/api/catalog/entities?filter=kind=location')
        .set(auth);
      for (const e of locations.body) {
        for (const item of e.status?.items ?? []) {
          messages.push(item.error.message);
        }
      }
      for (const reason of ['failed', 'pending']) {
        const res = await request(server)
          .get(`/api/catalog/entities/unprocessed/${reason}`)
          .set(auth);
        for (const e of res.body.entities ?? []) {
          const found =
            typeof e.errors === 'string'
              ? JSON.parse(e.errors || '[]')
              : e.errors;
          messages.push(...[found ?? []].flat().map((x: any) => x.message));
        }
      }
      return [...new Set(messages)].sort();
    };
    const reads = (name: string) =>
      [...github.requestsByPath.entries()]
        .filter(([p]) => p.startsWith(`/repos/${name}/git/`))
        .reduce(
          (n, [p, c]) => {
            n[p.includes('/git/trees/') ? 'trees' : 'blobs'] += c;
            return n;
          },
          { trees: 0, blobs: 0 },
        );
    const wait = async (done: () => Promise<boolean> | boolean) => {
      for (let t = 0; t < 400 && !(await done()); t++) {
        await new Promise(r => setTimeout(r, 200));
      }
    };

    // Settled: the group is in the catalog, one payments holds the name.
    const settled = (m: string[]) =>
      m.length === 3 &&
      m[0].startsWith('Conflicting') &&
      !m.some(x => x.includes('squad-nasa'));
    await wait(async () => settled(await errors()));
    const messages = await errors();
    expect(messages).toEqual([
      expect.stringMatching(
        /^Conflicting shuttle\.yaml at url:https:\/\/github\.com\/(lunarway|lunar-labs)\/payments\/.*component:default\/payments is already defined by/,
      ),
      expect.stringMatching(
        /^Invalid shuttle\.yaml at url:https:\/\/github\.com\/lunarway\/invalid\/.*vars\.db must be true or false, got the string 'yes'/,
      ),
      expect.stringMatching(
        /^Invalid shuttle\.yaml at url:https:\/\/github\.com\/lunarway\/ownerless\/.*owner squad-juno is not a known squad/,
      ),
    ]);
    const loser =
      /^Conflicting shuttle\.yaml at url:https:\/\/github\.com\/([^/]+\/[^/]+)\//.exec(
        messages[0],
      )![1];

    // From now on, each of them: the tree, conditionally, and nothing else.
    const erroring = ['lunarway/invalid', 'lunarway/ownerless', loser];
    const before = Object.fromEntries(erroring.map(n => [n, reads(n)]));
    const processings = 8; // more than the 5 erroring processings for which the catalog keeps an older cache
    await wait(() =>
      erroring.every(n => reads(n).trees >= before[n].trees + processings),
    );
    for (const name of erroring) {
      expect(reads(name).trees).toBeGreaterThanOrEqual(
        before[name].trees + processings,
      );
      // shuttle.yaml was read once, when the repository was first seen.
      expect(reads(name).blobs).toBe(before[name].blobs);
    }
    expect(github.statuses.get(304)).toBe(github.conditionalRequests);
    expect(await errors()).toEqual(messages);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
