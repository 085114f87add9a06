import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ReleaseStatus } from '@internal/plugin-release-status-common';
import {
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { REFRESH_TASK_ID, releaseStatusPlugin } from './plugin';
import { makeGitRepo, tempDir } from './__testUtils__/gitRepo';
import { startReleaseManager } from './__testUtils__/releaseManager';
import { startJsonServer } from './__testUtils__/jsonServer';
import { component } from './__testUtils__/catalog';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Math.floor(Date.now() / 1000) * 1000;

/** A scheduler whose tasks run when the test says so. */
function manualScheduler() {
  // mockServices.scheduler() is a MockSchedulerService typed as
  // SchedulerService; its factory installs that same instance.
  return mockServices.scheduler() as SchedulerService & {
    factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory;
    triggerTask(id: string): Promise<void>;
  };
}

describe('release-status backend', () => {
  const repos = tempDir();
  let rm: Awaited<ReturnType<typeof startReleaseManager>>;
  let server: any;

  beforeAll(async () => {
    await makeGitRepo(
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
    await makeGitRepo(
      repos.dir,
      'term-deposit',
      [
        { ageMs: 30 * DAY, tags: ['prod', 'staging'] },
        { ageMs: 2 * DAY, tags: ['dev'] },
      ],
      { now },
    );
    rm = await startReleaseManager({ token: 'rm-token', now });
    const scheduler = manualScheduler();
    const backend = await startTestBackend({
      features: [
        releaseStatusPlugin,
        scheduler.factory({ skipTaskRunOnStartup: true }),
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
            // The shuttle processor annotates these too; only the website
            // is released.
            component('customer-web', 'squad-nasa', undefined, 'website'),
            component('go-amqp', 'squad-nasa', undefined, 'library'),
            component(
              'engineering-handbook',
              'squad-nasa',
              undefined,
              'documentation',
            ),
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
      ],
    });
    server = backend.server;
    // Statuses are computed ahead: one scheduled refresh.
    await scheduler.triggerTask(REFRESH_TASK_ID);
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
      // The release before, from release-manager's history; a local
      // repository has no compare page.
      previous: { sha: 'b'.repeat(40) },
      compareUrl: null,
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

  it('answers from the store, saying when it was computed', async () => {
    const ref = 'component:default/card-clearing';
    const before = rm.requests.length;
    const stored = await get(`/status?entityRef=${ref}`);
    expect(rm.requests.length).toBe(before);
    expect(stored.body.freshness).toMatchObject({ state: 'computed' });
    expect(stored.body.computedAt).toBe(stored.body.generatedAt);
    // POST /refresh recomputes it now.
    const fresh = await request(server)
      .post('/api/release-status/refresh')
      .set('Authorization', mockCredentials.user.header())
      .send({ entityRef: ref });
    expect(fresh.status).toBe(200);
    expect(rm.requests.length).toBeGreaterThan(before);
    expect(Date.parse(fresh.body.computedAt)).toBeGreaterThanOrEqual(
      Date.parse(stored.body.computedAt),
    );
  });

  it('answers a component not computed yet as pending and computes it', async () => {
    // docs-only has no release-manager annotation: the refresh does not
    // walk it, so the first read finds nothing stored.
    const ref = 'component:default/docs-only';
    const first = await get(`/status?entityRef=${ref}`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      environments: [],
      sources: [],
      computedAt: null,
      freshness: { state: 'pending' },
    });
    let state = first.body.freshness.state;
    for (let i = 0; i < 100 && state === 'pending'; i++) {
      await new Promise(r => setTimeout(r, 50));
      state = (await get(`/status?entityRef=${ref}`)).body.freshness.state;
    }
    expect(state).toBe('computed');
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
      'customer-web', // unknown, then by name
      'ghost',
    ]);
  });

  it('takes a squad by name, and only a group', async () => {
    // The Releases page's squad filter: a bare name is a group.
    const byName = (await get('/overview?owner=squad-gemini')).body;
    expect(byName.items.map((i: ReleaseStatus) => i.service)).toEqual([
      'card-clearing',
    ]);
    expect(
      (await get('/overview?owner=default/squad-gemini')).body.items.length,
    ).toBe(1);
    for (const owner of [
      'component:default/card-clearing',
      'user:default/ada',
    ]) {
      const res = await get(`/overview?owner=${owner}`);
      expect({ owner, status: res.status }).toEqual({ owner, status: 400 });
      expect(res.body.error.message).toMatch(/owner must be a group/);
    }
    expect((await get('/overview?owner=')).status).toBe(400);
  });

  it('leaves libraries, documentation sites and unannotated components out of the overview', async () => {
    // squad-nasa owns a website, a library, a documentation site and a
    // component without the release-manager annotation (docs-only): the
    // squad's overview asks the catalog by owner alone.
    const nasa = (await get('/overview?owner=group:default/squad-nasa')).body;
    expect(nasa.items.map((i: ReleaseStatus) => i.service)).toEqual([
      'customer-web',
    ]);
    const all = (await get('/overview')).body;
    expect(all.items.map((i: ReleaseStatus) => i.service)).not.toContain(
      'go-amqp',
    );
    expect(all.items.map((i: ReleaseStatus) => i.service)).not.toContain(
      'engineering-handbook',
    );
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

describe('release-status backend with GitHub', () => {
  const fixture = (name: string) =>
    JSON.parse(
      readFileSync(
        join(__dirname, '__fixtures__/github', `${name}.json`),
        'utf8',
      ),
    );
  const REPO = '/repos/lunarway/card-clearing';
  let github: Awaited<ReturnType<typeof startJsonServer>>;
  let server: any;

  beforeAll(async () => {
    github = await startJsonServer(url => {
      const body = (
        {
          [REPO]: fixture('repo'), // default_branch: master
          [`${REPO}/commits/develop`]: fixture('commit-master'),
          [`${REPO}/compare/prod...develop`]: fixture('compare-prod-master'),
        } as Record<string, unknown>
      )[url.pathname];
      return body ? { status: 200, body } : undefined;
    });
    const scheduler = manualScheduler();
    const backend = await startTestBackend({
      features: [
        releaseStatusPlugin,
        scheduler.factory({ skipTaskRunOnStartup: true }),
        catalogServiceMock.factory({
          entities: [
            {
              ...component('card-clearing', 'squad-gemini'),
              metadata: {
                name: 'card-clearing',
                namespace: 'default',
                annotations: {
                  'lunar.app/release-manager-service': 'card-clearing',
                  'github.com/project-slug': 'lunarway/card-clearing',
                },
              },
            },
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [
                { host: 'github.com', apiBaseUrl: github.url, token: 'ghp_x' },
              ],
            },
            releaseStatus: { git: { defaultBranch: 'develop' } },
          },
        }),
      ],
    });
    server = backend.server;
    await scheduler.triggerTask(REFRESH_TASK_ID);
  });
  afterAll(() => github.close());

  it('measures drift against releaseStatus.git.defaultBranch', async () => {
    const res = await request(server)
      .get(
        '/api/release-status/status?entityRef=component:default/card-clearing',
      )
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    const status: ReleaseStatus = res.body;
    expect(status.sources[1]).toEqual({ source: 'git', state: 'ok' });
    expect(status.defaultBranch).toBe('develop');
    expect(
      status.environments.find(e => e.environment === 'prod')!.drift!
        .commitsBehind,
    ).toBe(7);
    expect(github.requests.map(r => r.url)).toContain(
      `${REPO}/compare/prod...develop?per_page=1`,
    );
  });
});
