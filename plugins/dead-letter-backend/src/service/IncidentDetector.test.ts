import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { ConfigReader } from '@backstage/config';
import { LUNAR_ANNOTATIONS } from '@internal/plugin-lunar-common';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { readAlertSettings, readNotificationSettings } from '../config';
import { DatabaseDeadLetterStore } from '../database/DatabaseDeadLetterStore';
import { DatabaseIncidentStore } from '../database/DatabaseIncidentStore';
import { newDeadLetter } from '../__testUtils__/rows';
import { IncidentDetector } from './IncidentDetector';
import { SquadNotifier } from './SquadNotifier';
import { ReleaseLookup } from './releaseCorrelation';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The detection runs at 14:16 UTC unless a test says otherwise. */
const NOW = new Date('2026-12-07T14:16:00.000Z');
const at = (base: Date, offsetMs: number) =>
  new Date(base.getTime() + offsetMs);

const squad = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});
const component = (
  name: string,
  owner: string,
  annotations: Record<string, string> = {},
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', owner },
});

/** Messages of a service in prod, dead-lettered at the given times. */
const messages = (
  service: string,
  times: Date[],
  error: (i: number) => string,
) =>
  times.map((t, i) =>
    newDeadLetter({
      environment: 'prod',
      service,
      squad: null,
      queue: `prod_${service}`,
      error: error(i),
      deadLetteredAt: t.toISOString(),
    }),
  );

/** `n` times spread evenly from `from` over `spanMs`. */
const spread = (from: Date, spanMs: number, n: number) =>
  Array.from({ length: n }, (_, i) => at(from, Math.floor((i * spanMs) / n)));

/** One message an hour over the 7 days before the 14:06 window. */
const lastWeekHourly = () =>
  Array.from({ length: 168 }, (_, i) => at(NOW, -20 * MINUTE - i * HOUR));

const DATABASES: TestDatabaseId[] = ['POSTGRES_15', 'SQLITE_3'];

describe('IncidentDetector', () => {
  let ids: TestDatabaseId[] = ['SQLITE_3'];
  beforeAll(async () => {
    if (await requirePostgres()) ids = ['POSTGRES_15', 'SQLITE_3'];
  });
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function setup(
    id: TestDatabaseId,
    options: {
      alerts?: object;
      entities?: object[];
      releases?: ReleaseLookup;
    } = {},
  ) {
    const knex = await databases.init(id);
    const deadLetters = await DatabaseDeadLetterStore.create({
      database: mockServices.database({ knex }),
    });
    const store = new DatabaseIncidentStore(knex);
    const config = new ConfigReader({
      deadLetter: {
        alerts: { floor: 10, ...options.alerts },
        environments: [{ name: 'prod', amqp: { url: 'amqp://x' } }],
        notifications: { fallbackGroup: 'platform' },
      },
    });
    const sent: NotificationSendOptions[] = [];
    const catalog = catalogServiceMock({
      entities: (options.entities ?? [
        squad('squad-gemini'),
        squad('platform'),
        component('card-clearing', 'group:default/squad-gemini'),
      ]) as any,
    });
    const logger = mockServices.logger.mock();
    const auth = mockServices.auth();
    let now = NOW;
    const detector = () =>
      new IncidentDetector({
        store,
        catalog,
        auth,
        logger,
        settings: readAlertSettings(config),
        releases: options.releases,
        now: () => now,
        notifier: new SquadNotifier({
          notifications: {
            send: async n => {
              sent.push(n);
            },
          },
          catalog,
          auth,
          logger,
          settings: readNotificationSettings(config),
        }),
      });
    return {
      knex,
      store,
      sent,
      insert: (rows: ReturnType<typeof messages>) =>
        deadLetters.insertBatch(rows),
      archiveAll: () =>
        deadLetters.archive(
          'prod',
          { filter: {} },
          { reason: 'deleted', by: null },
        ),
      detector,
      setNow: (time: Date) => {
        now = time;
      },
    };
  }

  it.each(DATABASES)(
    'notifies a spike once, updates the same notification as it grows, and when it resolved, on %s',
    async id => {
      if (!ids.includes(id)) return;
      const t = await setup(id);
      await t.insert([
        ...messages(
          'card-clearing',
          lastWeekHourly(),
          () => 'ctx handler: timeout',
        ),
        // 100 in the window, from 14:10.
        ...messages(
          'card-clearing',
          spread(new Date('2026-12-07T14:10:00Z'), 5 * MINUTE, 100),
          () => 'ctx handler: timeout',
        ),
      ]);
      const detector = t.detector();

      expect(await detector.run('prod')).toEqual({
        opened: 1,
        resolved: 0,
        notified: 1,
      });
      expect(t.sent).toHaveLength(1);
      const [first] = t.sent;
      // Baseline: 168 a week = 1/6 per 10 minutes; 100 is 600 times that.
      expect(first.payload).toMatchObject({
        title:
          'card-clearing in prod: 100 dead letters in 10 min, 600x normal, since 14:10 UTC',
        severity: 'high',
        topic: 'dead-letter-alert',
        scope: 'dead-letter-incident:prod:card-clearing:spike',
        link: '/catalog/default/component/card-clearing/dead-letter?environment=prod&from=2026-12-07T14%3A10%3A00Z',
      });
      expect(first.recipients).toEqual({
        type: 'entity',
        entityRef: ['group:default/squad-gemini'],
      });

      // Nothing new: nothing sent.
      t.setNow(at(NOW, MINUTE));
      expect((await detector.run('prod')).notified).toBe(0);

      // 150 more: the window holds 250, more than twice what was told.
      await t.insert(
        messages(
          'card-clearing',
          spread(new Date('2026-12-07T14:16:00Z'), MINUTE, 150),
          () => 'ctx handler: timeout',
        ),
      );
      t.setNow(at(NOW, 2 * MINUTE));
      expect(await detector.run('prod')).toEqual({
        opened: 0,
        resolved: 0,
        notified: 1,
      });
      expect(t.sent[1].payload).toMatchObject({
        title:
          'card-clearing in prod: 250 dead letters in 10 min, 1,500x normal, since 14:10 UTC',
        scope: first.payload.scope,
      });
      expect(t.sent[1].payload.description).toContain('250 dead letters since');

      // Deleting the messages changes nothing about what happened.
      await t.archiveAll();
      t.setNow(at(NOW, 3 * MINUTE));
      expect(await detector.run('prod')).toEqual({
        opened: 0,
        resolved: 0,
        notified: 0,
      });

      // A quiet window: resolved, said on the same notification.
      t.setNow(at(NOW, 30 * MINUTE));
      expect(await detector.run('prod')).toEqual({
        opened: 0,
        resolved: 1,
        notified: 1,
      });
      expect(t.sent).toHaveLength(3);
      expect(t.sent[2].payload).toMatchObject({
        title:
          'Resolved: card-clearing in prod is back to normal (0 dead letters in the last 10 min; peak 250, 14:10–14:16 UTC)',
        scope: first.payload.scope,
        link: '/catalog/default/component/card-clearing/dead-letter?environment=prod&from=2026-12-07T14%3A10%3A00Z&to=2026-12-07T14%3A17%3A00Z',
      });
      expect(
        await t.knex('dead_letter_incidents').select('state', 'total'),
      ).toEqual([{ state: 'resolved', total: expect.anything() }]);
      t.setNow(at(NOW, 31 * MINUTE));
      expect((await detector.run('prod')).notified).toBe(0);
    },
  );

  it.each(DATABASES)(
    'raises no spike under the floor or its normal, on %s',
    async id => {
      if (!ids.includes(id)) return;
      // 10-hour windows: a week is 16.8 of them, so the weekly 168 messages
      // make a baseline of 10 per window.
      const t = await setup(id, { alerts: { floor: 10, windowMinutes: 600 } });
      await t.insert([
        ...messages(
          'card-clearing',
          lastWeekHourly().slice(10),
          () => 'ctx handler: timeout',
        ),
        // 40: above the floor, under 5 times the baseline.
        ...messages(
          'card-clearing',
          spread(at(NOW, -HOUR), 30 * MINUTE, 40),
          () => 'ctx handler: timeout',
        ),
        // 9, no baseline: under the floor.
        ...messages('payments', spread(at(NOW, -HOUR), HOUR, 9), () => 'x'),
      ]);
      // The payments error is new, though: only that incident opens.
      expect(await t.detector().run('prod')).toEqual({
        opened: 1,
        resolved: 0,
        notified: 1,
      });
      expect(t.sent[0].payload.title).toBe(
        'payments in prod: new error "x", 9 dead letters since 13:16 UTC',
      );
      expect(
        await t.knex('dead_letter_incidents').select('service', 'kind'),
      ).toEqual([{ service: 'payments', kind: 'error-group' }]);
      // payments has no squad in the catalog: the fallback group is told.
      expect(t.sent[0].recipients).toEqual({
        type: 'entity',
        entityRef: ['group:default/platform'],
      });
    },
  );

  it.each(DATABASES)(
    'opens one incident per new error group after normalisation, not for errors seen in the week, and resolves it, on %s',
    async id => {
      if (!ids.includes(id)) return;
      const t = await setup(id, { alerts: { floor: 1000 } });
      await t.insert([
        ...messages(
          'card-clearing',
          lastWeekHourly(),
          () => 'ctx handler: timeout',
        ),
        // Seen 8 days ago only: new again.
        ...messages(
          'card-clearing',
          [at(NOW, -8 * 24 * HOUR)],
          () => 'ctx handler: record 77 not found',
        ),
        ...messages(
          'card-clearing',
          spread(new Date('2026-12-07T14:10:00Z'), 4 * MINUTE, 3),
          i => `ctx handler: record ${[123, 456, 789][i]} not found`,
        ),
        // Seen in the week: not new.
        ...messages(
          'card-clearing',
          [at(NOW, -MINUTE)],
          () => 'ctx handler: timeout',
        ),
      ]);
      const detector = t.detector();
      expect(await detector.run('prod')).toEqual({
        opened: 1,
        resolved: 0,
        notified: 1,
      });
      expect(t.sent[0].payload).toMatchObject({
        title:
          'card-clearing in prod: new error "ctx handler: record <n> not found", 3 dead letters since 14:10 UTC',
        scope: expect.stringMatching(
          /^dead-letter-incident:prod:card-clearing:error-group:[0-9a-f]{16}$/,
        ),
      });
      // The same group again in a later run: still that one incident.
      await t.insert(
        messages(
          'card-clearing',
          [at(NOW, 30 * 1000)],
          () => 'ctx handler: record 1 not found',
        ),
      );
      t.setNow(at(NOW, MINUTE));
      expect(await detector.run('prod')).toEqual({
        opened: 0,
        resolved: 0,
        notified: 0,
      });
      // Gone for a window: resolved.
      t.setNow(at(NOW, 12 * MINUTE));
      expect(await detector.run('prod')).toEqual({
        opened: 0,
        resolved: 1,
        notified: 1,
      });
      expect(t.sent[1].payload).toMatchObject({
        title:
          'Resolved: card-clearing in prod: no more "ctx handler: record <n> not found" for 10 min (4 dead letters, 14:10–14:16 UTC)',
        scope: t.sent[0].payload.scope,
      });
      // Back within the week: not new, so no new incident.
      await t.insert(
        messages(
          'card-clearing',
          [at(NOW, 20 * MINUTE)],
          () => 'ctx handler: record 2 not found',
        ),
      );
      t.setNow(at(NOW, 21 * MINUTE));
      expect((await detector.run('prod')).opened).toBe(0);
    },
  );

  it.each(DATABASES)(
    "takes thresholds and muting from the component's annotations, on %s",
    async id => {
      if (!ids.includes(id)) return;
      const later = '2026-12-07T15:00:00Z';
      const t = await setup(id, {
        entities: [
          squad('squad-gemini'),
          component('card-clearing', 'group:default/squad-gemini', {
            [LUNAR_ANNOTATIONS.deadLetterAlertMutedUntil]: later,
          }),
          component('payments', 'group:default/squad-gemini', {
            [LUNAR_ANNOTATIONS.deadLetterAlertFloor]: '500',
          }),
          component('ledger', 'group:default/squad-gemini', {
            [LUNAR_ANNOTATIONS.deadLetterAlertFloor]: '2',
            [LUNAR_ANNOTATIONS.deadLetterAlertMultiplier]: 'lots',
          }),
        ],
      });
      const window = spread(new Date('2026-12-07T14:10:00Z'), 4 * MINUTE, 100);
      const old = () => 'ctx handler: timeout';
      await t.insert([
        ...messages('card-clearing', lastWeekHourly(), old),
        ...messages('payments', lastWeekHourly(), old),
        ...messages('ledger', lastWeekHourly(), old),
        // Muted: a spike and a new group, neither notified.
        ...messages('card-clearing', window, () => 'brand new'),
        // 100 is under its own floor of 500.
        ...messages('payments', window, old),
        // 5 is over its own floor of 2 (and 5 x 1/6); the bad multiplier is ignored.
        ...messages('ledger', window.slice(0, 5), old),
      ]);
      const detector = t.detector();
      expect(await detector.run('prod')).toEqual({
        opened: 1,
        resolved: 0,
        notified: 1,
      });
      expect(t.sent.map(n => n.payload.title)).toEqual([
        'ledger in prod: 5 dead letters in 10 min, 30x normal, since 14:10 UTC',
      ]);

      // After the mute, the still-spiking card-clearing opens.
      await t.insert(
        messages(
          'card-clearing',
          spread(new Date(later), 5 * MINUTE, 60),
          () => 'brand new',
        ),
      );
      t.setNow(at(new Date(later), 6 * MINUTE));
      await detector.run('prod');
      // Its error group was seen while muted, so it is not new any more;
      // the 100 muted messages count in its normal (268 a week).
      expect(
        t.sent.map(n => n.payload.title).filter(x => x.startsWith('card')),
      ).toEqual([
        'card-clearing in prod: 60 dead letters in 10 min, 226x normal, since 15:00 UTC',
      ]);
    },
  );

  it.each(DATABASES)(
    'two detectors running the task at once notify exactly once, on %s',
    async id => {
      if (!ids.includes(id)) return;
      const t = await setup(id);
      await t.insert(
        messages(
          'card-clearing',
          spread(new Date('2026-12-07T14:10:00Z'), 5 * MINUTE, 100),
          () => 'ctx handler: timeout',
        ),
      );
      const a = t.detector();
      const b = t.detector();
      const runs = await Promise.all([a.run('prod'), b.run('prod')]);
      // A spike and a new error group, each opened and notified once.
      expect(runs.reduce((n, r) => n + r.opened, 0)).toBe(2);
      expect(t.sent.map(n => n.payload.scope).sort()).toEqual([
        expect.stringMatching(
          /^dead-letter-incident:prod:card-clearing:error-group:/,
        ),
        'dead-letter-incident:prod:card-clearing:spike',
      ]);
      // Both resolve, each said once.
      t.setNow(at(NOW, 30 * MINUTE));
      const later = await Promise.all([a.run('prod'), b.run('prod')]);
      expect(later.reduce((n, r) => n + r.resolved, 0)).toBe(2);
      expect(t.sent).toHaveLength(4);
      expect(
        t.sent.slice(2).every(n => n.payload.title.startsWith('Resolved: ')),
      ).toBe(true);
    },
  );

  it.each(DATABASES)(
    'names the release that reached the environment shortly before the first failure, on %s',
    async id => {
      if (!ids.includes(id)) return;
      const sha = '9f3c2a1b7e0d4c5a6b7c8d9e0f1a2b3c4d5e6f7a';
      const asked: string[] = [];
      const t = await setup(id, {
        releases: {
          current: async (service, environment) => {
            asked.push(`${service} ${environment}`);
            return {
              sha,
              artifactId: 'master-9f3c2a1b7e-67e9d69164',
              releasedAt: '2026-12-07T14:06:00.000Z',
              commitUrl: `https://github.com/lunarway/card-clearing/commit/${sha}`,
              previous: {
                sha: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
                artifactId: 'master-1a2b3c4d5e-67e9d69164',
                releasedAt: '2026-12-06T09:00:00.000Z',
              },
              compareUrl: `https://github.com/lunarway/card-clearing/compare/1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b...${sha}`,
            };
          },
        },
      });
      await t.insert(
        messages(
          'card-clearing',
          spread(new Date('2026-12-07T14:10:00Z'), 5 * MINUTE, 100),
          () => 'ctx handler: timeout',
        ),
      );
      await t.detector().run('prod');
      expect(asked).toEqual(['card-clearing prod', 'card-clearing prod']);
      expect(t.sent).toHaveLength(2);
      for (const n of t.sent) {
        expect(n.payload.description).toMatch(
          /^Suspected release: first seen 4 min after 9f3c2a1 reached prod \(changes: https:\/\/github.com\/lunarway\/card-clearing\/compare\/1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b\.\.\.9f3c2a1b/,
        );
      }
    },
  );
});
