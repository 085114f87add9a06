import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { DatabasePulseStore } from './DatabasePulseStore';
import { NewPulseEvent } from './PulseStore';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

const SQUAD = 'group:default/squad-nasa';
let n = 0;
const event = (over: Partial<NewPulseEvent> = {}): NewPulseEvent => ({
  dedupKey: `key-${++n}`,
  kind: 'released',
  occurredAt: new Date(Date.UTC(2026, 10, 1, 12, n)).toISOString(),
  squad: SQUAD,
  entityRef: 'component:default/authentication',
  service: 'authentication',
  environment: 'prod',
  actor: 'Ada',
  summary: `authentication was released to prod by Ada (${n})`,
  ...over,
});

describe('DatabasePulseStore', () => {
  const ids: TestDatabaseId[] = ['POSTGRES_15', 'SQLITE_3'];
  let available = ids;
  beforeAll(async () => {
    if (!(await requirePostgres())) available = ['SQLITE_3'];
  });
  const databases = TestDatabases.create({ ids });

  it.each(ids)(
    'stores idempotently and lists a squad newest first on %s',
    async id => {
      if (!available.includes(id)) return;
      const store = await DatabasePulseStore.create({
        database: mockServices.database({ knex: await databases.init(id) }),
      });
      const first = event();
      const second = event();
      const other = event({ squad: 'group:default/squad-gemini' });
      const unreadable = event({ kind: 'unreadable', raw: 'not json' });
      expect(await store.insertEvents([first, second, other, unreadable])).toBe(
        4,
      );
      // A redelivered event (same key) is not stored twice.
      expect(await store.insertEvents([first, { ...second }])).toBe(0);

      const listed = await store.listForSquad(SQUAD, 10);
      expect(listed.map(e => e.summary)).toEqual([
        second.summary,
        first.summary,
      ]);
      expect(listed[0]).toMatchObject({
        kind: 'released',
        occurredAt: second.occurredAt,
        squad: SQUAD,
        environment: 'prod',
        actor: 'Ada',
      });
      expect(await store.listForSquad(SQUAD, 1)).toHaveLength(1);

      // Old entries are pruned: only the first is older than the second.
      expect(await store.prune(new Date(second.occurredAt))).toBe(1);
      expect((await store.listForSquad(SQUAD, 10)).map(e => e.summary)).toEqual(
        [second.summary],
      );
    },
  );

  it.each(ids)(
    'keeps the catalog snapshot with its events in one transaction on %s',
    async id => {
      if (!available.includes(id)) return;
      const store = await DatabasePulseStore.create({
        database: mockServices.database({ knex: await databases.init(id) }),
      });
      const entry = {
        entityRef: 'component:default/authentication',
        name: 'authentication',
        service: 'auth',
        owner: SQUAD,
      };
      await store.applyCatalogChanges({
        upserts: [
          entry,
          {
            ...entry,
            entityRef: 'component:default/x',
            name: 'x',
            service: 'x',
          },
        ],
        removals: [],
        events: [event()],
      });
      expect(await store.findService('auth')).toEqual(entry);
      await store.applyCatalogChanges({
        upserts: [{ ...entry, owner: null }],
        removals: ['component:default/x'],
        events: [],
      });
      expect((await store.snapshot()).map(e => [e.entityRef, e.owner])).toEqual(
        [['component:default/authentication', null]],
      );
      // A release event stored before its service was known gets the
      // squad once the tracker learns it.
      await store.insertEvents([
        event({ squad: null, service: 'payments', entityRef: null }),
      ]);
      const payments = async () =>
        (await store.listForSquad(SQUAD, 10))
          .filter(e => e.service === 'payments')
          .map(e => [e.service, e.entityRef]);
      expect(await payments()).toEqual([]);
      await store.applyCatalogChanges({
        upserts: [
          {
            entityRef: 'component:default/payments',
            name: 'payments',
            service: 'payments',
            owner: SQUAD,
          },
        ],
        removals: [],
        events: [],
      });
      expect(await payments()).toEqual([
        ['payments', 'component:default/payments'],
      ]);
    },
  );

  it('leaves the snapshot as it was when an event cannot be stored', async () => {
    // Only PostgreSQL shows this: on SQLite, knex's onConflict().ignore()
    // is INSERT OR IGNORE, which skips a NOT NULL violation silently.
    if (!available.includes('POSTGRES_15')) return;
    const store = await DatabasePulseStore.create({
      database: mockServices.database({
        knex: await databases.init('POSTGRES_15'),
      }),
    });
    const entry = {
      entityRef: 'component:default/authentication',
      name: 'authentication',
      service: 'auth',
      owner: null,
    };
    await store.applyCatalogChanges({
      upserts: [entry],
      removals: [],
      events: [],
    });
    await expect(
      store.applyCatalogChanges({
        upserts: [{ ...entry, owner: 'group:default/squad-aura' }],
        removals: [],
        events: [event({ summary: null as unknown as string })],
      }),
    ).rejects.toThrow();
    expect((await store.snapshot())[0].owner).toBeNull();
  });

  it.each(ids)('migrates down and up again on %s', async id => {
    if (!available.includes(id)) return;
    const knex = await databases.init(id);
    await DatabasePulseStore.create({
      database: mockServices.database({ knex }),
    });
    const directory = resolvePackagePath(
      '@internal/plugin-squad-overview-backend',
      'migrations',
    );
    await knex.migrate.rollback({ directory }, true);
    expect(await knex.schema.hasTable('pulse_events')).toBe(false);
    expect(await knex.schema.hasTable('pulse_catalog_snapshot')).toBe(false);
    await knex.migrate.latest({ directory });
    expect(await knex.schema.hasTable('pulse_events')).toBe(true);
  });
});
