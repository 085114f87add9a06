import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { ReleaseStatus } from '@internal/plugin-release-status-common';
import { releaseStatusPlugin } from './plugin';
import { makeGitRepo, tempDir } from './__testUtils__/gitRepo';
import { startReleaseManager } from './__testUtils__/releaseManager';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Math.floor(Date.now() / 1000) * 1000;

function component(name: string, squad: string, folder = name): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'lunar.app/release-manager-service': name,
        'backstage.io/source-location': `file:/repos/${folder}/`,
      },
    },
    spec: {
      type: 'service',
      owner: `group:default/${squad}`,
      lifecycle: 'production',
    },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${squad}` }],
  };
}

describe('release-status backend', () => {
  const repos = tempDir();
  let rm: Awaited<ReturnType<typeof startReleaseManager>>;
  let server: any;

  beforeAll(async () => {
    makeGitRepo(
      repos.dir,
      'card-clearing',
      [
        { ageMs: 20 * DAY, tags: ['prod'] },
        { ageMs: 13 * DAY },
        { ageMs: 9 * DAY },
        { ageMs: 6 * DAY, tags: ['staging'] },
        { ageMs: 2 * HOUR, tags: ['dev'] },
        { ageMs: HOUR },
      ],
      { now },
    );
    makeGitRepo(
      repos.dir,
      'term-deposit',
      [
        { ageMs: 30 * DAY, tags: ['prod', 'staging'] },
        { ageMs: 2 * DAY, tags: ['dev'] },
      ],
      { now },
    );
    rm = await startReleaseManager({ token: 'rm-token', now });
    const backend = await startTestBackend({
      features: [
        releaseStatusPlugin,
        // No Authorization header means no caller.
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        catalogServiceMock.factory({
          entities: [
            component('card-clearing', 'squad-gemini'),
            component('term-deposit', 'squad-mercury'),
            component('ghost', 'squad-mercury'),
            {
              ...component('docs-only', 'squad-nasa'),
              metadata: { name: 'docs-only', namespace: 'default' },
            },
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            releaseStatus: {
              releaseManager: { baseUrl: rm.url, token: 'rm-token' },
              git: { localDirectory: repos.dir },
              cacheSeconds: 60,
            },
          },
        }),
      ],
    });
    server = backend.server;
  });
  afterAll(async () => {
    await rm.close();
    repos.remove();
  });

  const get = (path: string) =>
    request(server)
      .get(`/api/release-status${path}`)
      .set('Authorization', mockCredentials.user.header());

  it("merges release-manager's releases with git's drift", async () => {
    const res = await get('/status?entityRef=component:default/card-clearing');
    expect(res.status).toBe(200);
    const status: ReleaseStatus = res.body;
    expect(status.sources).toEqual([
      { source: 'release-manager', state: 'ok' },
      { source: 'git', state: 'ok' },
    ]);
    expect(status.owner).toBe('group:default/squad-gemini');
    expect(status.environments.map(e => e.environment)).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    const prod = status.environments.find(e => e.environment === 'prod')!;
    expect(prod.drift).toEqual({
      commitsBehind: 5,
      oldestUnreleasedAt: new Date(now - 13 * DAY).toISOString(),
    });
    expect(prod).toMatchObject({
      artifactId: rm.artifacts['card-clearing'].prod,
      releasedBy: 'Ada Holm',
      intent: { type: 'Promote', fromEnvironment: 'staging' },
    });
    expect(prod.sha).toHaveLength(40);
    const dev = status.environments.find(e => e.environment === 'dev')!;
    expect(dev.drift!.commitsBehind).toBe(1);
    expect(dev.intent).toEqual({ type: 'AutoRelease' });
    expect(status.autoReleasePolicies).toEqual([
      { id: 'auto-master-dev', branch: 'master', environment: 'dev' },
    ]);
  });

  it('says which source does not know a service', async () => {
    // release-manager has never heard of term-deposit; git has.
    const known = (
      await get('/status?entityRef=component:default/term-deposit')
    ).body;
    expect(known.sources[0]).toMatchObject({
      source: 'release-manager',
      state: 'unknown-service',
    });
    expect(
      known.environments.find((e: any) => e.environment === 'prod').drift
        .commitsBehind,
    ).toBe(1);
    // Nobody knows ghost: no environments, two clear states.
    const ghost = (await get('/status?entityRef=component:default/ghost')).body;
    expect(ghost.environments).toEqual([]);
    expect(ghost.sources.map((s: any) => s.state)).toEqual([
      'unknown-service',
      'unknown-service',
    ]);
    expect(ghost.sources[1].message).toMatch(/ghost/);
  });

  it('caches per component and refreshes on request', async () => {
    const ref = 'component:default/card-clearing';
    await get(`/status?entityRef=${ref}`);
    const before = rm.requests.length;
    const cached = await get(`/status?entityRef=${ref}`);
    expect(rm.requests.length).toBe(before);
    const fresh = await get(`/status?entityRef=${ref}&refresh=true`);
    expect(rm.requests.length).toBeGreaterThan(before);
    expect(Date.parse(fresh.body.generatedAt)).toBeGreaterThanOrEqual(
      Date.parse(cached.body.generatedAt),
    );
  });

  it('lists a squad, and everyone worst drift first', async () => {
    const squad = (await get('/overview?owner=group:default/squad-gemini'))
      .body;
    expect(squad.environments).toEqual(['dev', 'staging', 'prod']);
    expect(squad.items.map((i: ReleaseStatus) => i.service)).toEqual([
      'card-clearing',
    ]);
    const all = (await get('/overview')).body;
    expect(all.items.map((i: ReleaseStatus) => i.service)).toEqual([
      'card-clearing', // 5 behind in prod
      'term-deposit', // 1 behind
      'ghost', // unknown
    ]);
  });

  it('answers bad requests with a reason', async () => {
    const missing = await get('/status');
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/entityRef is required/);
    const bad = await get('/status?entityRef=component:');
    expect(bad.status).toBe(400);
    expect(
      (
        await get(
          '/status?entityRef=component:default/card-clearing&refresh=yes',
        )
      ).status,
    ).toBe(400);
    const unknown = await get('/status?entityRef=component:default/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/component:default\/nope/);
    const anonymous = await request(server).get(
      '/api/release-status/status?entityRef=component:default/card-clearing',
    );
    expect(anonymous.status).toBe(401);
  });
});
