import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import {
  SchedulerServiceTaskScheduleDefinition,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  EventsService,
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import { RELEASE_MANAGER_EVENTS_TOPIC } from '@internal/plugin-lunar-common';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { runGit } from '@internal/plugin-lunar-node';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { ReleaseStatus } from '@internal/plugin-release-status-common';
import { REFRESH_TASK_ID, releaseStatusPlugin } from './plugin';
import { makeGitRepo, tempDir } from './__testUtils__/gitRepo';
import { startReleaseManager } from './__testUtils__/releaseManager';
import { startJsonServer } from './__testUtils__/jsonServer';
import { component } from './__testUtils__/catalog';

useLocalPostgresForTestDatabases();
jest.setTimeout(120_000);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(
      join(__dirname, '__fixtures__/github', `${name}.json`),
      'utf8',
    ),
  );

/**
 * Statuses computed ahead on real PostgreSQL: the scheduled refresh against
 * the release-manager stand-in, real local git repositories and a counting
 * GitHub stand-in; reads answered from the database only.
 */
describe('release status computed ahead', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
  const repos = tempDir();
  const now = Math.floor(Date.now() / 1000) * 1000;
  let rm: Awaited<ReturnType<typeof startReleaseManager>>;
  let github: Awaited<ReturnType<typeof startJsonServer>>;
  let repo: string;
  let available = false;

  const REPO = '/repos/lunarway/card-api';
  const entities = [
    component('card-clearing', 'squad-gemini'),
    // release-manager answers 500 for it: a failing source.
    component('broken', 'squad-gemini'),
    // A folder that is not a git repository: git fails for it.
    component('not-a-repo', 'squad-gemini'),
    {
      ...component('card-api', 'squad-gemini'),
      metadata: {
        name: 'card-api',
        namespace: 'default',
        annotations: {
          'lunar.app/release-manager-service': 'card-api',
          'github.com/project-slug': 'lunarway/card-api',
        },
      },
    },
  ];

  const config = () => ({
    integrations: {
      github: [{ host: 'github.com', apiBaseUrl: github.url, token: 'ghp_x' }],
    },
    releaseStatus: {
      releaseManager: { baseUrl: rm.url, token: 'rm-token' },
      git: { localDirectory: repos.dir },
      refresh: { frequencySeconds: 120, releaseEventDelaySeconds: 0.2 },
    },
    // The backend's events service in-process, as in production without an
    // events backend.
    events: { useEventBus: 'never' },
  });

  /** Another plugin on the same events service (squad-overview-backend in production). */
  let publisher: EventsService;
  const publisherPlugin = createBackendPlugin({
    pluginId: 'release-events-publisher',
    register(reg) {
      reg.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          publisher = events;
        },
      });
    },
  });

  async function start(
    knex: Awaited<ReturnType<typeof databases.init>>,
    permission:
      | AuthorizeResult.ALLOW
      | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  ) {
    const scheduler = mockServices.scheduler.mock();
    const auditor = mockServices.auditor.mock({
      createEvent: async () => ({
        success: async () => {},
        fail: async () => {},
      }),
    });
    const backend = await startTestBackend({
      features: [
        releaseStatusPlugin,
        publisherPlugin,
        eventsServiceFactory,
        scheduler.factory,
        auditor.factory,
        mockServices.database.factory({ knex }),
        mockServices.permissions.factory({ result: permission }),
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({ data: config() }),
        mockServices.rootLogger.factory({ level: 'error' }),
      ],
    });
    const task = scheduler.scheduleTask.mock.calls.find(
      ([t]) => t.id === REFRESH_TASK_ID,
    )![0] as SchedulerServiceTaskScheduleDefinition & {
      fn: () => Promise<void>;
    };
    const get = async (path: string) =>
      request(backend.server)
        .get(`/api/release-status${path}`)
        .set('Authorization', mockCredentials.user.header());
    const status = async (name: string): Promise<ReleaseStatus> =>
      (await get(`/status?entityRef=component:default/${name}`)).body;
    return { backend, task, auditor, get, status, knex };
  }

  /** Everything each source was asked, so far. */
  const outgoing = () => rm.requests.length + github.requests.length;

  beforeAll(async () => {
    available = await requirePostgres();
    repo = await makeGitRepo(
      repos.dir,
      'card-clearing',
      [
        { ageMs: 20 * DAY, tags: ['prod'] },
        { ageMs: 13 * DAY },
        { ageMs: 6 * DAY, tags: ['staging'] },
        { ageMs: 2 * HOUR, tags: ['dev'] },
        { ageMs: HOUR },
      ],
      { now },
    );
    mkdirSync(join(repos.dir, 'not-a-repo'));
    rm = await startReleaseManager({ token: 'rm-token', now });
    github = await startJsonServer(url => {
      const body = (
        {
          [REPO]: fixture('repo'),
          [`${REPO}/commits/master`]: fixture('commit-master'),
          [`${REPO}/compare/prod...master`]: fixture('compare-prod-master'),
          [`${REPO}/git/matching-refs/tags/`]: [
            {
              ref: 'refs/tags/prod',
              object: { sha: fixture('compare-prod-master').base_commit.sha },
            },
          ],
        } as Record<string, unknown>
      )[url.pathname];
      return body ? { status: 200, body } : undefined;
    });
  });
  afterAll(async () => {
    await rm?.close();
    await github?.close();
    repos.remove();
  });

  it('is one global task on the configured schedule', async () => {
    if (!available) return;
    const { task, backend } = await start(await databases.init('POSTGRES_15'));
    expect(task).toMatchObject({
      scope: 'global',
      frequency: { seconds: 120 },
    });
    await backend.stop();
  });

  it('changes drift after a new commit and tag within one refresh, and reads ask no source', async () => {
    if (!available) return;
    const { task, get, status, backend } = await start(
      await databases.init('POSTGRES_15'),
    );
    await task.fn();

    const before = await status('card-clearing');
    const env = (s: ReleaseStatus, e: string) =>
      s.environments.find(x => x.environment === e)!;
    expect(before.freshness).toMatchObject({ state: 'computed' });
    expect(before.computedAt).toEqual(expect.any(String));
    expect(env(before, 'prod').drift!.commitsBehind).toBe(4);
    expect(env(before, 'dev').drift!.commitsBehind).toBe(1);
    const gh = await status('card-api');
    expect(gh.sources[1]).toEqual({ source: 'git', state: 'ok' });
    expect(env(gh, 'prod').drift!.commitsBehind).toBe(7);

    // Reads: one status per component and the overview, several times.
    const asked = outgoing();
    for (let i = 0; i < 3; i++) {
      for (const e of entities) await status(e.metadata.name);
      const overview = await get('/overview?owner=squad-gemini');
      expect(overview.status).toBe(200);
      expect(overview.body.items).toHaveLength(entities.length);
      await get('/overview');
    }
    expect(outgoing()).toBe(asked);

    // A second refresh with nothing changed: card-clearing is checked, not
    // recomputed (one release-manager request, no describe or policies).
    const rmBefore = rm.requests.length;
    await task.fn();
    const cardRequests = rm.requests
      .slice(rmBefore)
      .filter(r => r.url.includes('card-clearing'));
    expect(cardRequests.map(r => r.url)).toEqual([
      '/status?service=card-clearing',
    ]);
    const unchanged = await status('card-clearing');
    expect(unchanged.computedAt).toBe(before.computedAt);
    expect(Date.parse(unchanged.freshness!.checkedAt!)).toBeGreaterThanOrEqual(
      Date.parse(before.freshness!.checkedAt!),
    );

    // A new commit on master, and dev released (tagged) at it.
    const git = (args: string[]) =>
      runGit(args, {
        cwd: repo,
        author: { name: 'Ada Holm', email: 'dev@lunar.example' },
        date: new Date().toISOString(),
      });
    await git(['commit', '-q', '--allow-empty', '-m', 'Another change']);
    await git(['tag', '-f', 'dev']);
    expect(
      env(await status('card-clearing'), 'prod').drift!.commitsBehind,
    ).toBe(4);

    await task.fn();
    const after = await status('card-clearing');
    expect(env(after, 'prod').drift!.commitsBehind).toBe(5);
    expect(env(after, 'dev').drift!.commitsBehind).toBe(0);
    expect(Date.parse(after.computedAt!)).toBeGreaterThan(
      Date.parse(before.computedAt!),
    );
    await backend.stop();
  });

  it("reads a squad's overview by owner, and by ref what moved to it since the last refresh", async () => {
    if (!available) return;
    const { task, get, backend, knex } = await start(
      await databases.init('POSTGRES_15'),
    );
    await task.fn();
    const owners = await knex('release_status')
      .orderBy('entity_ref')
      .pluck('owner_ref');
    expect(owners).toEqual(entities.map(() => 'group:default/squad-gemini'));

    // The last refresh saw card-clearing with another squad, and never saw
    // broken: the catalog (squad-gemini owns both) is the truth.
    await knex('release_status')
      .where('entity_ref', 'component:default/card-clearing')
      .update({ owner_ref: 'group:default/squad-old' });
    await knex('release_status')
      .where('entity_ref', 'component:default/broken')
      .update({ owner_ref: null });
    const asked = outgoing();
    const gemini = (await get('/overview?owner=squad-gemini')).body;
    expect(
      gemini.items.map((i: ReleaseStatus) => [i.service, i.freshness?.state]),
    ).toEqual(
      expect.arrayContaining([
        ['card-clearing', 'computed'],
        ['broken', 'computed'],
      ]),
    );
    expect(gemini.items).toHaveLength(entities.length);
    // The old squad's overview does not list what the catalog says it no
    // longer owns.
    expect((await get('/overview?owner=squad-old')).body.items).toEqual([]);
    expect(outgoing()).toBe(asked);

    // The next refresh records the owner again.
    await task.fn();
    expect(
      await knex('release_status')
        .where('entity_ref', 'component:default/card-clearing')
        .first('owner_ref'),
    ).toEqual({ owner_ref: 'group:default/squad-gemini' });
    await backend.stop();
  });

  it('reports a failing source per component and refreshes the others', async () => {
    if (!available) return;
    const { task, status, backend } = await start(
      await databases.init('POSTGRES_15'),
    );
    await task.fn();
    const broken = await status('broken');
    expect(broken.freshness).toMatchObject({
      state: 'computed',
      lastError: expect.stringMatching(/^release-manager: .*500/),
    });
    expect(broken.sources[0]).toMatchObject({
      source: 'release-manager',
      state: 'unreachable',
    });
    const notRepo = await status('not-a-repo');
    expect(notRepo.freshness!.lastError).toMatch(/not a git repository/);
    // The others were computed in the same refresh, without errors.
    for (const name of ['card-clearing', 'card-api']) {
      const ok = await status(name);
      expect({ name, ...ok.freshness }).toMatchObject({
        name,
        state: 'computed',
      });
      expect(ok.freshness!.lastError).toBeUndefined();
    }
    await backend.stop();
  });

  it('refreshes one component now, with the permission, audited', async () => {
    if (!available) return;
    const knex = await databases.init('POSTGRES_15');
    const { task, status, auditor, backend } = await start(knex);
    await task.fn();
    const before = await status('card-clearing');
    const asked = rm.requests.length;
    const post = (auth?: string) => {
      const r = request(backend.server).post('/api/release-status/refresh');
      return (auth ? r.set('Authorization', auth) : r).send({
        entityRef: 'component:default/card-clearing',
      });
    };
    const res = await post(mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body.freshness.state).toBe('computed');
    expect(Date.parse(res.body.computedAt)).toBeGreaterThan(
      Date.parse(before.computedAt!),
    );
    // Recomputed, not just checked: describe and policies were asked.
    expect(
      rm.requests.slice(asked).some(r => r.url.startsWith('/policies')),
    ).toBe(true);
    expect((await status('card-clearing')).computedAt).toBe(
      res.body.computedAt,
    );
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'release-status-refresh',
        meta: { entityRef: 'component:default/card-clearing' },
      }),
    );

    expect((await post(mockCredentials.none.header())).status).toBe(401);
    const missing = await request(backend.server)
      .post('/api/release-status/refresh')
      .set('Authorization', mockCredentials.user.header())
      .send({ entityRef: 'component:default/nope' });
    expect(missing.status).toBe(404);
    await backend.stop();

    // Without the permission: refused, nothing asked.
    const denied = await start(knex, AuthorizeResult.DENY);
    const deniedAsked = outgoing();
    const refused = await request(denied.backend.server)
      .post('/api/release-status/refresh')
      .set('Authorization', mockCredentials.user.header())
      .send({ entityRef: 'component:default/card-clearing' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/release-status.refresh/);
    expect(outgoing()).toBe(deniedAsked);
    await denied.backend.stop();
  });
  it("recomputes a service's components soon after release-manager's event for it, not the others", async () => {
    if (!available) return;
    const knex = await databases.init('POSTGRES_15');
    const { task, status, backend } = await start(knex);
    await task.fn();
    const fingerprint = async (name: string) =>
      (
        await knex('release_status')
          .where('entity_ref', `component:default/${name}`)
          .first()
      ).fingerprint as string;
    const env = (s: ReleaseStatus, e: string) =>
      s.environments.find(x => x.environment === e)!;
    const before = await status('card-clearing');
    const beforeFingerprint = await fingerprint('card-clearing');
    const other = await status('card-api');
    const githubAsked = github.requests.length;

    // A new commit on master: nothing refreshes until the event comes.
    await runGit(['commit', '-q', '--allow-empty', '-m', 'Released soon'], {
      cwd: repo,
      author: { name: 'Ada Holm', email: 'dev@lunar.example' },
      date: new Date().toISOString(),
    });
    await new Promise(r => setTimeout(r, 500));
    expect(await fingerprint('card-clearing')).toBe(beforeFingerprint);

    // released, then releaseSucceeded: taken together.
    const rmAsked = rm.requests.length;
    for (const type of ['released', 'releaseSucceeded']) {
      await publisher.publish({
        topic: RELEASE_MANAGER_EVENTS_TOPIC,
        eventPayload: {
          type,
          service: 'card-clearing',
          environment: 'dev',
          artifactId: 'master-1c1508405e-67e9d69164',
        },
      });
    }
    // A service no component names changes nothing.
    await publisher.publish({
      topic: RELEASE_MANAGER_EVENTS_TOPIC,
      eventPayload: { type: 'released', service: 'no-such-service' },
    });
    const deadline = Date.now() + 20_000;
    let after = await status('card-clearing');
    while (after.computedAt === before.computedAt && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 100));
      after = await status('card-clearing');
    }
    expect(Date.parse(after.computedAt!)).toBeGreaterThan(
      Date.parse(before.computedAt!),
    );
    expect(await fingerprint('card-clearing')).not.toBe(beforeFingerprint);
    expect(env(after, 'dev').drift!.commitsBehind).toBe(
      env(before, 'dev').drift!.commitsBehind + 1,
    );
    expect(env(after, 'prod').drift!.commitsBehind).toBe(
      env(before, 'prod').drift!.commitsBehind + 1,
    );
    // Computed in full once: one set of release-manager requests for it.
    await new Promise(r => setTimeout(r, 500));
    const policies = rm.requests
      .slice(rmAsked)
      .filter(r => r.url.startsWith('/policies'));
    expect(policies.map(r => r.url)).toEqual([
      '/policies?service=card-clearing',
    ]);
    // The other components were not touched.
    expect((await status('card-api')).computedAt).toBe(other.computedAt);
    expect(github.requests.length).toBe(githubAsked);
    await backend.stop();
  });
});
