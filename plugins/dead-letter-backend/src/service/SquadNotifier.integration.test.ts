import {
  coreServices,
  createBackendPlugin,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import { notificationService } from '@backstage/plugin-notifications-node';
import request from 'supertest';
import { NotificationSettings, defaultSeverity } from '../config';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { SquadNotification, SquadNotifier } from './SquadNotifier';
import { squadWithMember } from '../__testUtils__/catalog';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

const entities = [
  ...squadWithMember('squad-mercury', 'mette.hansen'),
  ...squadWithMember('squad-nasa', 'jonas.berg'),
  ...squadWithMember('platform', 'ida.holm'),
];

const notification = (squads: Array<string | null>): SquadNotification => ({
  squads,
  environment: 'dev',
  title: 'Something to act on',
  description: 'Because of this.',
  link: '/dead-letter/redeliveries?environment=dev',
  scope: `test:${Math.random()}`,
  topic: 'test',
});

describe('SquadNotifier with the real notifications backend', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
  let available = false;
  beforeAll(async () => {
    available = await requirePostgres();
  });

  /** A backend with a plugin that only builds the notifier. */
  async function start(options: {
    withNotifications: boolean;
    fallbackGroup: string | null;
  }) {
    const warnings: string[] = [];
    let notifier: SquadNotifier | undefined;
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
            // The warnings are recorded; the rest goes to the backend's logger.
            const logger: LoggerService = {
              error: (m, meta) => deps.logger.error(m, meta),
              info: (m, meta) => deps.logger.info(m, meta),
              debug: (m, meta) => deps.logger.debug(m, meta),
              warn: m => {
                warnings.push(m);
              },
              child: () => logger,
            };
            const settings: NotificationSettings = {
              fallbackGroup: options.fallbackGroup,
              severity: defaultSeverity,
            };
            notifier = new SquadNotifier({ ...deps, logger, settings });
          },
        });
      },
    });
    const knex = await databases.init('POSTGRES_15');
    const backend = await startTestBackend({
      features: [
        probe,
        ...(options.withNotifications ? [notificationsPlugin] : []),
        mockServices.database.factory({ knex }),
        mockServices.rootLogger.factory({ level: 'error' }),
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: { app: { baseUrl: 'http://localhost:3000' } },
        }),
      ],
    });
    const inbox = async (user: string) => {
      const res = await request(backend.server)
        .get('/api/notifications/')
        .set({ Authorization: mockCredentials.user.header(user) });
      expect(res.status).toBe(200);
      return res.body.notifications as any[];
    };
    return { backend, notifier: notifier!, warnings, inbox };
  }

  it('notifies the squads the catalog knows, and the fallback group for unknown ones', async () => {
    if (!available) return;
    const { backend, notifier, inbox } = await start({
      withNotifications: true,
      fallbackGroup: 'group:default/platform',
    });
    try {
      expect(
        await notifier.recipients(['mercury', null, 'squad-ghost']),
      ).toEqual({
        groups: ['group:default/squad-mercury'],
        unknown: [null, 'squad-ghost'],
        fallback: 'group:default/platform',
      });
      expect(
        await notifier.send(notification(['squad-mercury', null, 'ghost'])),
      ).toBe(true);

      const [mette] = await inbox('user:default/mette.hansen');
      expect(mette.payload).toMatchObject({
        title: 'Something to act on',
        link: '/dead-letter/redeliveries?environment=dev',
        severity: 'normal',
        topic: 'test',
      });
      const [ida] = await inbox('user:default/ida.holm');
      expect(ida.payload.description).toBe(
        'Because of this.\n\nSent to group:default/platform (deadLetter.notifications.fallbackGroup) because the catalog has no squad for: messages without an owner, ghost.',
      );
      expect(await inbox('user:default/jonas.berg')).toEqual([]);

      // Known squads only: the fallback group hears nothing of it.
      await notifier.send(notification(['squad-nasa']));
      expect(await inbox('user:default/jonas.berg')).toHaveLength(1);
      expect(await inbox('user:default/ida.holm')).toHaveLength(1);
    } finally {
      await backend.stop();
    }
  });

  it('sends nothing, and says so, when no squad is known and there is no fallback', async () => {
    if (!available) return;
    const { backend, notifier, warnings, inbox } = await start({
      withNotifications: true,
      fallbackGroup: null,
    });
    try {
      expect(await notifier.send(notification([null, 'ghost']))).toBe(false);
      expect(warnings).toEqual([
        'nobody to notify of "Something to act on": no squad is known and deadLetter.notifications.fallbackGroup is not set',
      ]);
      for (const user of ['mette.hansen', 'jonas.berg', 'ida.holm'])
        expect(await inbox(`user:default/${user}`)).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('logs and reports a failed send instead of throwing (no notifications backend)', async () => {
    if (!available) return;
    const { backend, notifier, warnings } = await start({
      withNotifications: false,
      fallbackGroup: null,
    });
    try {
      await expect(notifier.send(notification(['mercury']))).resolves.toBe(
        false,
      );
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        /^could not notify of "Something to act on": Error: Failed to send notifications/,
      );
    } finally {
      await backend.stop();
    }
  });
});
