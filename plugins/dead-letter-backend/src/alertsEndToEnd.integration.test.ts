import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
// This test runs the plugins an alert goes through in production together
// (devDependencies only; the plugin's code talks to them over HTTP and the
// events service).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import releaseStatusPlugin from '@internal/plugin-release-status-backend';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import squadOverviewPlugin from '@internal/plugin-squad-overview-backend';
import {
  AMQP_URL,
  useBrokerAndDatabase,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import deadLetterPlugin from '.';
import { eventually, failingService, topology } from './__testUtils__/amqp';
import { squadWithMember } from './__testUtils__/catalog';

// The quick start's release-manager (release-manager's HTTP API from git
// repositories' environment tags) and its example repositories' builder.
const {
  startLocalReleaseManager,
}: {
  startLocalReleaseManager: (options: {
    gitDir: string;
    token: string;
  }) => Promise<{ url: string; close: () => Promise<void> }>;
} = require(path.resolve(__dirname, '../../../scripts/local-release-manager'));
const {
  buildRepository,
}: {
  buildRepository: (
    dir: string,
    history: { ages: number[]; tags: Record<string, number> },
    now: number,
    source?: string,
  ) => void;
} = require(path.resolve(__dirname, '../../../scripts/example-git-repos'));

useLocalPostgresForTestDatabases();
jest.setTimeout(240_000);

const METTE = 'user:default/mette.hansen';
/** Seconds between detection runs (the least the config allows). */
const INTERVAL_SECONDS = 10;
const RM_TOKEN = 'rm-e2e';
const MINUTE = 60_000;

/**
 * The on-call alert end to end, on the real broker and PostgreSQL, with the
 * plugins production runs: release-manager's `released` event goes through
 * RabbitMQ to squad-overview-backend, the events service and
 * release-status-backend; card-clearing then fails every message, RabbitMQ
 * dead-letters them into the queue the dead-letter backend consumes, and
 * its scheduled detection tells squad-gemini's member through the
 * notifications backend.
 */
describe('on-call alerts end to end', () => {
  const services = useBrokerAndDatabase();
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('tells the squad once, with the release that preceded the failures, updates it as it grows and says when it resolved', async () => {
    if (!services.available) return;
    const suffix = Math.random().toString(36).slice(2, 8);
    const { names, ch, cleanup, addServiceQueue } = await topology(
      services.connection,
      suffix,
    );
    const workQueue = await addServiceQueue('card-clearing', 'card.cleared');
    const releaseExchange = `lunar-test-release-manager-${suffix}`;
    const pulseQueue = `lunar-test-squad-pulse-${suffix}`;
    const gitDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-e2e-'));
    // The release reached dev a minute ago (the local release-manager
    // releases to dev 10 minutes after the commit).
    // card-clearing's repository: its shuttle.yaml, then the commit `dev`
    // is tagged at, which the local release-manager releases to dev 10
    // minutes after it was made: a minute ago.
    const source = path.join(gitDir, '.source');
    fs.mkdirSync(source);
    fs.writeFileSync(
      path.join(source, 'shuttle.yaml'),
      'plan: ../plan\nvars:\n  service: card-clearing\n  squad: squad-gemini\n',
    );
    const now = Date.now();
    const releasedAt = now - MINUTE;
    const repository = path.join(gitDir, 'card-clearing');
    buildRepository(
      repository,
      { ages: [2 * 24 * 60 * MINUTE, 11 * MINUTE], tags: { dev: 1 } },
      now,
      source,
    );
    fs.rmSync(source, { recursive: true });
    const sha = execFileSync('git', ['rev-parse', 'dev'], {
      cwd: repository,
      encoding: 'utf8',
    }).trim();
    const rm = await startLocalReleaseManager({ gitDir, token: RM_TOKEN });

    // Each plugin its own database, as in production.
    const dbs = new Map<string, Promise<Knex>>();
    const database = (pluginId: string) => {
      if (!dbs.has(pluginId)) dbs.set(pluginId, databases.init('POSTGRES_15'));
      return dbs.get(pluginId)!;
    };
    const entities = [
      ...squadWithMember('squad-gemini', 'mette.hansen'),
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'card-clearing',
          namespace: 'default',
          annotations: {
            'lunar.app/release-manager-service': 'card-clearing',
            'backstage.io/source-location': 'file:/repos/card-clearing/',
          },
        },
        spec: {
          type: 'service',
          owner: 'group:default/squad-gemini',
          lifecycle: 'production',
        },
        relations: [
          { type: 'ownedBy', targetRef: 'group:default/squad-gemini' },
        ],
      },
    ];
    const backend = await startTestBackend({
      features: [
        deadLetterPlugin,
        releaseStatusPlugin,
        squadOverviewPlugin,
        notificationsPlugin,
        createServiceFactory({
          service: coreServices.database,
          deps: { plugin: coreServices.pluginMetadata },
          factory: async ({ plugin }) =>
            mockServices.database({ knex: await database(plugin.getId()) }),
        }),
        // The real scheduler: detection runs every interval, as deployed.
        schedulerServiceFactory,
        mockServices.rootLogger.factory({ level: 'error' }),
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            events: { useEventBus: 'never' },
            deadLetter: {
              alerts: {
                intervalSeconds: INTERVAL_SECONDS,
                windowMinutes: 1,
                floor: 5,
              },
              environments: [
                {
                  name: 'dev',
                  amqp: { url: AMQP_URL, queue: names.dlq },
                  batchWaitMs: 20,
                },
              ],
            },
            releaseStatus: {
              environments: ['dev'],
              releaseManager: { baseUrl: rm.url, token: RM_TOKEN },
              git: { localDirectory: gitDir },
              refresh: { releaseEventDelaySeconds: 0.2 },
            },
            squadOverview: {
              releaseEvents: {
                amqp: {
                  url: AMQP_URL,
                  exchange: releaseExchange,
                  queue: pulseQueue,
                },
              },
            },
          },
        }),
      ],
    });
    const api = (method: 'get' | 'post', url: string) =>
      request(backend.server)
        [method](`/api${url}`)
        .set({ Authorization: mockCredentials.user.header(METTE) });
    const alerts = async () => {
      const res = await api('get', '/notifications/');
      expect(res.status).toBe(200);
      return (res.body.notifications as any[]).filter(
        n => n.payload.topic === 'dead-letter-alert',
      );
    };
    /** card-clearing fails `n` messages (RabbitMQ dead-letters them). */
    const fail = (n: number) => {
      for (let i = 0; i < n; i++) {
        ch.publish(names.work, 'card.cleared', Buffer.from(`{"n":${i}}`), {
          messageId: `e2e-${suffix}-${Date.now()}-${i}`,
          headers: { 'x-error': `ledger call timed out after ${3000 + i} ms` },
        });
      }
    };
    const stopFailing = await failingService(ch, workQueue);
    try {
      // release-manager's `released` event, as it publishes it.
      const pub = await services.connection.createConfirmChannel();
      await pub.assertExchange(releaseExchange, 'topic', { durable: true });
      pub.publish(
        releaseExchange,
        'release-manager.released',
        Buffer.from(
          JSON.stringify({
            name: 'card-clearing',
            environment: 'dev',
            artifactId: `master-${sha.slice(0, 10)}-67e9d69164`,
            authorName: 'Bo Lindqvist',
            squad: 'squad-gemini',
            intentType: 'AutoRelease',
          }),
        ),
        { type: 'released', contentType: 'application/json' },
      );
      await pub.waitForConfirms();
      await pub.close();
      // The portal knows the release.
      await eventually(async () => {
        const res = await api(
          'get',
          '/release-status/status?entityRef=component:default/card-clearing',
        );
        return res.body.environments?.find(
          (e: any) => e.environment === 'dev' && e.sha === sha && e.releasedAt,
        );
      }, 'release-status to know the release in dev');

      // card-clearing starts failing.
      const firstFailure = Date.now();
      fail(20);
      const opened = await eventually(
        async () =>
          (
            await alerts()
          ).find(n => n.payload.title.includes('dead letters in 1 min')),
        'the spike notification',
        (INTERVAL_SECONDS + 30) * 1000,
      );
      const toNotification = Date.now() - firstFailure;
      // Within one detection interval and 10 s of the first failure.
      expect(toNotification).toBeLessThan((INTERVAL_SECONDS + 10) * 1000);
      expect(opened.payload).toMatchObject({
        title: expect.stringMatching(
          /^card-clearing in dev: 20 dead letters in 1 min, .*since \d\d:\d\d UTC$/,
        ),
        link: expect.stringMatching(
          /^\/catalog\/default\/component\/card-clearing\/dead-letter\?environment=dev&from=/,
        ),
        severity: 'normal',
      });
      // "first seen N min after <sha> reached dev", N the whole minutes
      // from the release to the first dead letter.
      const suspect = new RegExp(
        `Suspected release: first seen (\\d+) min after ${sha.slice(
          0,
          7,
        )} reached dev`,
      ).exec(opened.payload.description);
      expect(suspect).not.toBeNull();
      const minutes = Number(suspect![1]);
      expect(minutes).toBeGreaterThanOrEqual(
        Math.floor((firstFailure - releasedAt) / MINUTE) - 1,
      );
      // (git keeps whole seconds: the release may be a second earlier)
      expect(minutes).toBeLessThanOrEqual(
        Math.floor((Date.now() - releasedAt + 1000) / MINUTE),
      );
      // One spike notification, and one for the new error group: each its
      // own incident.
      const first = await alerts();
      expect(
        first.filter(n => /dead letters in 1 min/.test(n.payload.title)),
      ).toHaveLength(1);

      // More failures: the same notification grows.
      fail(40);
      const grown = await eventually(
        async () =>
          (
            await alerts()
          ).find(
            n =>
              n.id === opened.id && /: 60 dead letters/.test(n.payload.title),
          ),
        'the notification to grow',
        (INTERVAL_SECONDS + 30) * 1000,
      );
      expect(grown.payload.title).toMatch(/^card-clearing in dev: 60 dead/);

      // card-clearing recovers: after a quiet window, the same notification
      // says so.
      await stopFailing();
      const resolved = await eventually(
        async () =>
          (
            await alerts()
          ).find(
            n => n.id === opened.id && /^Resolved: /.test(n.payload.title),
          ),
        'the notification to say resolved',
        MINUTE + (INTERVAL_SECONDS + 30) * 1000,
      );
      expect(resolved.payload.title).toMatch(
        /^Resolved: card-clearing in dev is back to normal/,
      );
      const spikes = (await alerts()).filter(n =>
        /card-clearing in dev (is back|: \d+ dead letters)/.test(
          n.payload.title,
        ),
      );
      expect(spikes.map(n => n.id)).toEqual([opened.id]);
      // For bench/dead-letter-alerts, which runs this test to time it.
      if (process.env.ALERTS_E2E_TIMING_FILE) {
        fs.writeFileSync(
          process.env.ALERTS_E2E_TIMING_FILE,
          JSON.stringify({ toNotificationMs: toNotification }),
        );
      }
    } finally {
      await backend.stop();
      await rm.close();
      await cleanup();
      await ch
        .deleteQueue(pulseQueue)
        .catch(() => {})
        .then(() => ch.deleteExchange(releaseExchange).catch(() => {}));
      fs.rmSync(gitDir, { recursive: true, force: true });
    }
  });
});
