import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import { notificationService } from '@backstage/plugin-notifications-node';
import request from 'supertest';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { readAlertSettings, readNotificationSettings } from './config';
import { DatabaseDeadLetterStore } from './database/DatabaseDeadLetterStore';
import { DatabaseIncidentStore } from './database/DatabaseIncidentStore';
import { IncidentDetector } from './service/IncidentDetector';
import { SquadNotifier } from './service/SquadNotifier';
import { newDeadLetter } from './__testUtils__/rows';
import { serviceComponent, squadWithMember } from './__testUtils__/catalog';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

const MINUTE = 60_000;
const entities = [
  ...squadWithMember('squad-gemini', 'mette.hansen'),
  serviceComponent('card-clearing', 'group:default/squad-gemini'),
];

/** `n` prod dead letters of card-clearing, one every `stepMs` from `from`. */
const burst = (from: string, n: number, stepMs: number) =>
  Array.from({ length: n }, (_, i) =>
    newDeadLetter({
      environment: 'prod',
      service: 'card-clearing',
      squad: 'squad-gemini',
      error: 'ctx handler: timeout',
      deadLetteredAt: new Date(Date.parse(from) + i * stepMs).toISOString(),
    }),
  );

describe('on-call alerts with the real notifications backend', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it("keeps one notification per incident in the squad member's inbox, from two detectors, as it grows and resolves", async () => {
    if (!(await requirePostgres())) return;
    const knex = await databases.init('POSTGRES_15');
    // The plugin's own database: the notifications backend migrates the
    // test backend's one.
    const ownKnex = await databases.init('POSTGRES_15');
    let now = new Date('2026-12-07T14:16:00Z');
    const detectors: IncidentDetector[] = [];
    let deadLetters: DatabaseDeadLetterStore | undefined;
    const config = new ConfigReader({
      deadLetter: {
        alerts: { floor: 10 },
        environments: [{ name: 'prod', amqp: { url: 'amqp://x' } }],
      },
    });
    const probe = createBackendPlugin({
      pluginId: 'dead-letter',
      register(reg) {
        reg.registerInit({
          deps: {
            notifications: notificationService,
            catalog: catalogServiceRef,
            auth: coreServices.auth,
            logger: coreServices.logger,
          },
          async init(deps) {
            deadLetters = await DatabaseDeadLetterStore.create({
              database: mockServices.database({ knex: ownKnex }),
            });
            const client = ownKnex;
            // Two replicas' detectors on the one database.
            const detector = () =>
              new IncidentDetector({
                store: new DatabaseIncidentStore(client),
                notifier: new SquadNotifier({
                  ...deps,
                  settings: readNotificationSettings(config),
                }),
                catalog: deps.catalog,
                auth: deps.auth,
                logger: deps.logger,
                settings: readAlertSettings(config),
                now: () => now,
              });
            detectors.push(detector(), detector());
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        probe,
        notificationsPlugin,
        mockServices.database.factory({ knex }),
        mockServices.rootLogger.factory({ level: 'error' }),
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: { app: { baseUrl: 'http://localhost:3000' } },
        }),
      ],
    });
    const inbox = async () => {
      const res = await request(backend.server)
        .get('/api/notifications/')
        .set({
          Authorization: mockCredentials.user.header(
            'user:default/mette.hansen',
          ),
        });
      expect(res.status).toBe(200);
      return (res.body.notifications as any[]).filter(
        n => n.payload.topic === 'dead-letter-alert',
      );
    };
    const runBoth = () => Promise.all(detectors.map(d => d.run('prod')));
    try {
      // The error was seen last week (not a new group); now 100 in 5 min.
      await deadLetters!.insertBatch([
        ...burst('2026-12-03T10:00:00Z', 3, MINUTE),
        ...burst('2026-12-07T14:10:00Z', 100, 3_000),
      ]);
      await runBoth();
      const [opened, ...others] = await inbox();
      expect(others).toEqual([]);
      expect(opened.payload).toMatchObject({
        title: expect.stringMatching(
          /^card-clearing in prod: 100 dead letters in 10 min, .*x normal, since 14:10 UTC$/,
        ),
        severity: 'high',
        link: '/catalog/default/component/card-clearing/dead-letter?environment=prod&from=2026-12-07T14%3A10%3A00Z',
      });
      await request(backend.server)
        .post('/api/notifications/update')
        .set({
          Authorization: mockCredentials.user.header(
            'user:default/mette.hansen',
          ),
        })
        .send({ ids: [opened.id], read: true })
        .expect(200);

      // It grows past twice what was told: the same notification, unread again.
      await deadLetters!.insertBatch(burst('2026-12-07T14:16:00Z', 150, 300));
      now = new Date('2026-12-07T14:18:00Z');
      await runBoth();
      const [grown, ...more] = await inbox();
      expect(more).toEqual([]);
      expect(grown.id).toBe(opened.id);
      expect(grown.payload.title).toMatch(/^card-clearing in prod: 250 dead/);
      expect(grown.read).toBeFalsy();

      // A quiet window: the same notification says it resolved.
      now = new Date('2026-12-07T14:45:00Z');
      await runBoth();
      const [resolved, ...rest] = await inbox();
      expect(rest).toEqual([]);
      expect(resolved.id).toBe(opened.id);
      expect(resolved.payload.title).toMatch(
        /^Resolved: card-clearing in prod is back to normal/,
      );
    } finally {
      await backend.stop();
    }
  });
});
