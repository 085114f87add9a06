import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { ReleaseStatus } from '@internal/plugin-release-status-common';
import {
  SquadOverviewResponse,
  SquadsOverviewResponse,
} from '@internal/plugin-squad-overview-common';
import express from 'express';
import request from 'supertest';
import { DatabasePulseStore } from '../database/DatabasePulseStore';
import { squadOverviewPlugin } from '../plugin';

useLocalPostgresForTestDatabases();
jest.setTimeout(120_000);

const GUEST = 'user:default/guest';
const ADMIN = 'user:default/admin';
const asUser = (ref: string) => ({
  Authorization: mockCredentials.user.header(ref),
});

const group = (name: string, members: string[] = []): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'squad', children: [] },
  relations: members.map(m => ({
    type: 'hasMember',
    targetRef: `user:default/${m}`,
  })),
});

const component = (name: string, owner: string, type = 'service'): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type, lifecycle: 'production', owner: `group:default/${owner}` },
  relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
});

const ENTITIES = [
  group('squad-nasa', ['ada', 'grace']),
  group('squad-gemini'),
  component('payments', 'squad-nasa'),
  component('go-amqp', 'squad-nasa', 'library'),
  // Only the admin may see it: never listed nor counted for anyone else.
  component('secret-ledger', 'squad-nasa'),
  component('card-clearing', 'squad-gemini'),
];

/**
 * The catalog as the permission framework would answer it: entities named
 * `secret-*` exist only for the admin.
 */
function permissionAwareCatalog() {
  const all = catalogServiceMock({ entities: ENTITIES });
  const visibleTo = (credentials: BackstageCredentials) => (e: Entity) =>
    !e.metadata.name.startsWith('secret-') ||
    (credentials.principal as { userEntityRef?: string }).userEntityRef ===
      ADMIN;
  return createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () =>
      ({
        ...all,
        async getEntities(req: any, { credentials }: any) {
          const res = await all.getEntities(req, { credentials });
          return { items: res.items.filter(visibleTo(credentials)) };
        },
        async getEntitiesByRefs(req: any, { credentials }: any) {
          const res = await all.getEntitiesByRefs(req, { credentials });
          return {
            items: res.items.map(e =>
              e && visibleTo(credentials)(e) ? e : undefined,
            ),
          };
        },
        async getEntityByRef(ref: any, { credentials }: any) {
          const e = await all.getEntityByRef(ref, { credentials });
          return e && visibleTo(credentials)(e) ? e : undefined;
        },
      } as any),
  });
}

function release(name: string, owner: string, behind: number): ReleaseStatus {
  const env = (environment: string, commitsBehind: number) => ({
    environment,
    sha: '1c1508405e'.padEnd(40, '0'),
    artifactId: `master-${environment}`,
    commitUrl: null,
    author: null,
    message: null,
    committedAt: null,
    releasedAt: '2026-12-01T07:00:00.000Z',
    releasedBy: 'Ada',
    intent: null,
    buildUrl: null,
    drift: { commitsBehind, oldestUnreleasedAt: null },
  });
  return {
    entityRef: `component:default/${name}`,
    service: name,
    owner: `group:default/${owner}`,
    defaultBranch: 'master',
    head: null,
    environments: [env('dev', 0), env('prod', behind)],
    autoReleasePolicies: [],
    sources: [],
    generatedAt: new Date().toISOString(),
  };
}

/** What the stand-ins for the other plugins answer, and what they saw. */
interface StandIns {
  failDeadLetters?: number;
  failReleases?: number;
  /** `<plugin> <path> <on behalf of>` per request. */
  requests: string[];
}

/**
 * Stand-ins for the dead-letter and release-status backends, answering as
 * their HTTP APIs do. They do not filter by the caller's catalog view (the
 * real ones may not either, e.g. dead letters are counted by squad name),
 * so the overview must not count what the caller cannot see.
 */
async function startStandIns(state: StandIns) {
  const app = express();
  const onBehalfOf = (req: express.Request) => {
    const token = (req.headers.authorization ?? '').replace(
      /^Bearer mock-service-token:/,
      '',
    );
    try {
      return JSON.parse(token).obo ?? 'none';
    } catch {
      return 'invalid token';
    }
  };
  app.use((req, _res, next) => {
    state.requests.push(`${req.path} ${onBehalfOf(req)}`);
    next();
  });
  const deadLetters = express.Router();
  deadLetters.use((_req, res, next) => {
    if (state.failDeadLetters) {
      res.status(state.failDeadLetters).json({
        error: { name: 'ServiceUnavailableError', message: 'broker gone' },
      });
    } else next();
  });
  deadLetters.get('/environments', (_req, res) => {
    res.json([{ name: 'dev' }, { name: 'prod' }]);
  });
  const perService: Record<string, Array<[string, string, number]>> = {
    dev: [
      ['payments', 'squad-nasa', 4],
      ['secret-ledger', 'squad-nasa', 7],
      ['card-clearing', 'squad-gemini', 2],
    ],
    prod: [['payments', 'squad-nasa', 1]],
  };
  deadLetters.get('/dead-letters/service-overview', (req, res) => {
    res.json(
      perService[String(req.query.environment)]
        .filter(([, squad]) => !req.query.squad || squad === req.query.squad)
        .map(([service, squad, count]) => ({
          service,
          squad,
          count,
          oldest: '2026-12-01T00:00:00.000Z',
          newest: '2026-12-01T00:00:00.000Z',
        })),
    );
  });
  deadLetters.get('/dead-letters/histogram', (_req, res) => {
    const from = new Date(Date.now() - 3 * 3_600_000);
    from.setUTCMinutes(0, 0, 0);
    const hour = (h: number) =>
      new Date(from.getTime() + h * 3_600_000).toISOString().slice(0, 13);
    res.json({
      from: from.toISOString(),
      hours: 3,
      buckets: [
        { hour: hour(1), key: 'payments', count: 1 },
        { hour: hour(2), key: 'payments', count: 40 },
      ],
    });
  });
  app.use('/api/dead-letter', deadLetters);
  app.get('/api/release-status/overview', (req, res) => {
    if (state.failReleases) {
      res.status(state.failReleases).json({
        error: { name: 'Error', message: 'release-manager unreachable' },
      });
      return;
    }
    const items = [
      release('payments', 'squad-nasa', 3),
      release('secret-ledger', 'squad-nasa', 9),
      release('card-clearing', 'squad-gemini', 0),
    ].filter(i => !req.query.owner || i.owner === req.query.owner);
    res.json({ environments: ['dev', 'prod'], items });
  });
  const server = http.createServer(app);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('one request for a squad', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
  let standIns: Awaited<ReturnType<typeof startStandIns>>;
  const state: StandIns = { requests: [] };

  beforeAll(async () => {
    standIns = await startStandIns(state);
  });
  afterAll(() => standIns.close());
  beforeEach(() => {
    state.requests = [];
    state.failDeadLetters = undefined;
    state.failReleases = undefined;
  });

  async function start() {
    const knex = await databases.init('POSTGRES_15');
    const store = await DatabasePulseStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insertEvents([
      {
        dedupKey: 'added-payments',
        kind: 'service-added',
        occurredAt: '2026-11-30T08:00:00.000Z',
        squad: 'group:default/squad-nasa',
        entityRef: 'component:default/payments',
        service: 'payments',
        environment: null,
        actor: null,
        summary: 'payments was added to the catalog',
      },
      {
        dedupKey: 'added-secret',
        kind: 'service-added',
        occurredAt: '2026-11-30T09:00:00.000Z',
        squad: 'group:default/squad-nasa',
        entityRef: 'component:default/secret-ledger',
        service: 'secret-ledger',
        environment: null,
        actor: null,
        summary: 'secret-ledger was added to the catalog',
      },
    ]);
    const { server } = await startTestBackend({
      features: [
        squadOverviewPlugin,
        mockServices.database.factory({ knex }),
        permissionAwareCatalog(),
        createServiceFactory({
          service: coreServices.discovery,
          deps: {},
          factory: () => ({
            getBaseUrl: async (pluginId: string) =>
              `${standIns.url}/api/${pluginId}`,
            getExternalBaseUrl: async (pluginId: string) =>
              `${standIns.url}/api/${pluginId}`,
          }),
        }),
        mockServices.rootConfig.factory({ data: {} }),
        mockServices.rootLogger.factory({ level: 'error' }),
      ],
    });
    return server;
  }

  async function overview(server: any, user = GUEST) {
    const res = await request(server)
      .get('/api/squad-overview/overview?squad=squad-nasa')
      .set(asUser(user));
    expect(res.status).toBe(200);
    return res.body as SquadOverviewResponse;
  }

  async function squads(server: any, user = GUEST) {
    const res = await request(server)
      .get('/api/squad-overview/squads/overview')
      .set(asUser(user));
    expect(res.status).toBe(200);
    return res.body as SquadsOverviewResponse;
  }

  it("joins a squad's services, dead letters, drift, pull requests and pulse, on the caller's behalf", async () => {
    if (!(await requirePostgres())) return;
    const server = await start();
    const body = await overview(server);

    expect(body.squad).toEqual({
      entityRef: 'group:default/squad-nasa',
      name: 'squad-nasa',
      title: 'squad-nasa',
    });
    expect(
      body.services.map(s => [
        s.name,
        s.type,
        s.deadLetters,
        s.release?.service,
      ]),
    ).toEqual([
      ['go-amqp', 'library', {}, undefined],
      ['payments', 'service', { dev: 4, prod: 1 }, 'payments'],
    ]);
    expect(body.deadLetters).toEqual({ environments: ['dev', 'prod'] });
    expect(body.releases).toEqual({ environments: ['dev', 'prod'] });
    // No GitHub integration: said, not failed; counts unknown.
    expect(body.pullRequests.state).toBe('not-configured');
    expect(body.services.every(s => s.openPullRequests === null)).toBe(true);
    expect(body.pulse.missing).toEqual([]);
    expect(body.pulse.items.map(i => i.summary)).toEqual([
      '40 messages of payments were dead-lettered in dev within an hour',
      '40 messages of payments were dead-lettered in prod within an hour',
      'payments master-dev was released to dev by Ada',
      'payments master-prod was released to prod by Ada',
      'payments was added to the catalog',
    ]);

    // Every other plugin was asked on the caller's behalf, once per need.
    expect(state.requests.sort()).toEqual(
      [
        '/api/dead-letter/environments',
        '/api/dead-letter/dead-letters/service-overview',
        '/api/dead-letter/dead-letters/service-overview',
        '/api/dead-letter/dead-letters/histogram',
        '/api/dead-letter/dead-letters/histogram',
        '/api/release-status/overview',
      ]
        .map(p => `${p} ${GUEST}`)
        .sort(),
    );
  });

  it('does not list or count a component the caller cannot see', async () => {
    if (!(await requirePostgres())) return;
    const server = await start();

    const guest = await overview(server, GUEST);
    expect(guest.services.map(s => s.name)).toEqual(['go-amqp', 'payments']);
    const dev = guest.services.reduce(
      (n, s) => n + (s.deadLetters.dev ?? 0),
      0,
    );
    expect(dev).toBe(4);
    expect(JSON.stringify(guest)).not.toContain('secret-ledger');

    const admin = await overview(server, ADMIN);
    expect(admin.services.map(s => s.name)).toEqual([
      'go-amqp',
      'payments',
      'secret-ledger',
    ]);
    expect(admin.pulse.items.map(i => i.summary)).toContain(
      'secret-ledger was added to the catalog',
    );

    const nasa = (b: SquadsOverviewResponse) =>
      b.squads.find(s => s.name === 'squad-nasa')!;
    const guestSquads = await squads(server, GUEST);
    expect(nasa(guestSquads)).toMatchObject({
      services: 2,
      servicesByType: { service: 1, library: 1 },
      members: 2,
      deadLetters: { dev: 4, prod: 1 },
      behindInProduction: 1,
    });
    expect(nasa(await squads(server, ADMIN))).toMatchObject({
      services: 3,
      deadLetters: { dev: 11, prod: 1 },
      behindInProduction: 2,
    });
  });

  it("lists every squad's numbers for the Squads page in one answer", async () => {
    if (!(await requirePostgres())) return;
    const server = await start();
    const body = await squads(server);
    expect(body.squads.map(s => [s.name, s.services, s.deadLetters])).toEqual([
      ['squad-nasa', 2, { dev: 4, prod: 1 }],
      ['squad-gemini', 1, { dev: 2, prod: 0 }],
    ]);
    expect(body.deadLetters).toEqual({ environments: ['dev', 'prod'] });
    expect(body.releases).toEqual({ production: 'prod' });
    expect(body.unknownOwners).toEqual({ items: [] });
    expect(state.requests.sort()).toEqual(
      [
        '/api/dead-letter/environments',
        '/api/dead-letter/dead-letters/service-overview',
        '/api/dead-letter/dead-letters/service-overview',
        '/api/release-status/overview',
      ]
        .map(p => `${p} ${GUEST}`)
        .sort(),
    );
  });

  it('reports a failing dead-letter backend in its section only', async () => {
    if (!(await requirePostgres())) return;
    const server = await start();
    state.failDeadLetters = 503;

    const body = await overview(server);
    expect(body.deadLetters).toEqual({
      environments: [],
      error: { message: expect.stringMatching(/^dead-letter backend: .*503/) },
    });
    expect(body.services.map(s => [s.name, s.deadLetters])).toEqual([
      ['go-amqp', {}],
      ['payments', {}],
    ]);
    // Drift and the pulse without its bursts are still there.
    expect(body.releases.error).toBeUndefined();
    expect(
      body.services.find(s => s.name === 'payments')!.release?.environments[1]
        .drift?.commitsBehind,
    ).toBe(3);
    expect(body.pulse.error).toBeUndefined();
    expect(body.pulse.missing).toEqual([body.deadLetters.error]);
    expect(body.pulse.items.map(i => i.kind)).toEqual([
      'released',
      'released',
      'service-added',
    ]);

    const all = await squads(server);
    expect(all.deadLetters.error?.message).toMatch(/dead-letter backend/);
    expect(all.squads.find(s => s.name === 'squad-nasa')).toMatchObject({
      services: 2,
      deadLetters: {},
      behindInProduction: 1,
    });
  });

  it('reports a failing release-status backend in its section only', async () => {
    if (!(await requirePostgres())) return;
    const server = await start();
    state.failReleases = 500;

    const body = await overview(server);
    expect(body.releases).toEqual({
      environments: [],
      error: { message: expect.stringMatching(/^release-status backend: /) },
    });
    expect(body.services.map(s => [s.name, s.release])).toEqual([
      ['go-amqp', null],
      ['payments', null],
    ]);
    expect(body.deadLetters.error).toBeUndefined();
    expect(body.services.find(s => s.name === 'payments')!.deadLetters).toEqual(
      { dev: 4, prod: 1 },
    );
    expect(body.pulse.missing).toEqual([body.releases.error]);

    const all = await squads(server);
    expect(all.releases).toEqual({
      production: null,
      error: { message: expect.stringMatching(/release-status backend/) },
    });
    expect(
      all.squads.find(s => s.name === 'squad-nasa')!.behindInProduction,
    ).toBeNull();
  });

  it('is a 404 for a squad the caller cannot see and a 401 without credentials', async () => {
    if (!(await requirePostgres())) return;
    const server = await start();
    const missing = await request(server)
      .get('/api/squad-overview/overview?squad=squad-apollo')
      .set(asUser(GUEST));
    expect(missing.status).toBe(404);
    const none = await request(server)
      .get('/api/squad-overview/squads/overview')
      .set({ Authorization: mockCredentials.none.header() });
    expect(none.status).toBe(401);
  });
});
