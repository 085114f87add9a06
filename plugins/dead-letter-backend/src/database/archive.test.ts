import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { DatabaseDeadLetterStore } from './DatabaseDeadLetterStore';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { newDeadLetter as row } from '../__testUtils__/rows';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

const DAY = 24 * 60 * 60 * 1000;

describe('the archive of DatabaseDeadLetterStore', () => {
  let ids: TestDatabaseId[] = ['SQLITE_3'];
  beforeAll(async () => {
    if (await requirePostgres()) ids = ['POSTGRES_15', 'SQLITE_3'];
  });
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function storeFor(id: TestDatabaseId) {
    const knex = await databases.init(id);
    const store = await DatabaseDeadLetterStore.create({
      database: mockServices.database({ knex }),
      archivePolicy: env =>
        env === 'short'
          ? { days: 1, retentionDays: 30 }
          : { days: 14, retentionDays: 30 },
    });
    return { knex, store };
  }

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'archives on delete, lists, restores byte for byte, and purges only what expired, on %s',
    async id => {
      if (!ids.includes(id)) return;
      const { knex, store } = await storeFor(id);
      const now = Date.now();
      // Every byte value, a JSON-looking text and nested headers.
      const body = Buffer.from([...Array(256).keys()]);
      await store.insertBatch([
        row({
          body,
          bodySize: 256,
          headers: {
            'x-death': [{ count: 2, queue: 'q', 'routing-keys': ['a', 'b'] }],
            'x-error': 'ctx handler: record not found',
            binary: { $base64: 'AAEC' },
          },
          messageId: 'special',
          properties: { messageId: 'special', priority: 0, timestamp: 17 },
          deadLetteredAt: new Date(now - 2 * DAY).toISOString(),
        }),
        row({ deadLetteredAt: new Date(now - 29 * DAY).toISOString() }),
        row({ squad: 'squad-gemini', service: 'card-clearing' }),
        row({ environment: 'short' }),
      ]);
      const listed = (await store.list('dev', {}, { limit: 10 })).items;
      const special = listed.find(m => m.messageId === 'special')!;
      const old = listed.find(
        m => m.deadLetteredAt === new Date(now - 29 * DAY).toISOString(),
      )!;
      const gemini = listed.find(m => m.squad === 'squad-gemini')!;
      const before = await store.get(special.id);
      const beforeRaw = await knex('dead_letters')
        .where('id', Number(special.id))
        .first();

      // Delete is archive; the wrong environment moves nothing.
      expect(await store.delete('short', { ids: [special.id] }, 'x')).toBe(0);
      expect(
        await store.delete(
          'dev',
          { ids: [special.id, old.id] },
          'user:default/mette.hansen',
        ),
      ).toBe(2);
      expect(await store.get(special.id)).toBeUndefined();
      expect(
        await store.archive(
          'dev',
          { ids: [gemini.id] },
          { reason: 'redelivered', by: null },
        ),
      ).toBe(1);
      expect(await store.delete('short', { filter: {} }, 'u')).toBe(1);

      const archive = await store.listArchive('dev', {}, { limit: 2 });
      expect(archive.totalCount).toBe(3);
      expect(archive.items).toHaveLength(2);
      const rest = await store.listArchive(
        'dev',
        {},
        { limit: 2, cursor: archive.nextCursor! },
      );
      expect(rest.nextCursor).toBeNull();
      const all = [...archive.items, ...rest.items];
      expect(all.map(a => a.id).sort()).toEqual(
        [special.id, old.id, gemini.id].sort(),
      );
      const archivedSpecial = all.find(a => a.id === special.id)!;
      expect(archivedSpecial).toMatchObject({
        archiveReason: 'deleted',
        archivedBy: 'user:default/mette.hansen',
        messageId: 'special',
        squad: 'squad-mercury',
      });
      expect((archivedSpecial as any).body).toBeUndefined();
      const archivedAt = Date.parse(archivedSpecial.archivedAt);
      expect(Math.abs(archivedAt - now)).toBeLessThan(60_000);
      // Kept 14 days after archiving...
      expect(Date.parse(archivedSpecial.expiresAt) - archivedAt).toBe(14 * DAY);
      // ...but never beyond the message retention (30 days after first death).
      expect(all.find(a => a.id === old.id)!.expiresAt).toBe(
        new Date(Date.parse(old.deadLetteredAt) + 30 * DAY).toISOString(),
      );
      expect(
        (
          await store.listArchive(
            'dev',
            { archiveReason: 'redelivered' },
            { limit: 5 },
          )
        ).items.map(a => [a.id, a.archivedBy]),
      ).toEqual([[gemini.id, null]]);
      expect(
        (
          await store.listArchive(
            'dev',
            { squad: 'squad-gemini' },
            { limit: 5 },
          )
        ).totalCount,
      ).toBe(1);
      expect(
        await store.countArchived('dev', { ids: [special.id, '999'] }),
      ).toBe(1);
      // Permission lookups find archived messages too.
      expect(await store.getResources([special.id])).toEqual([
        {
          id: special.id,
          environment: 'dev',
          service: 'term-deposit',
          squad: 'squad-mercury',
        },
      ]);

      // The same delivery stored again meanwhile: not restored twice.
      const { dedup_key } = await knex('dead_letter_archive')
        .where('id', Number(gemini.id))
        .first();
      expect(await store.insertBatch([row({ dedupKey: dedup_key })])).toBe(1);

      const restored = await store.restore('dev', {
        ids: [special.id, gemini.id, '424242'],
      });
      expect(restored).toEqual({
        restored: [special.id],
        skipped: [
          { id: gemini.id, reason: 'stored-again' },
          { id: '424242', reason: 'not-archived' },
        ],
      });
      // Identical: same id, the same columns, the same bytes.
      expect(await store.get(special.id)).toEqual(before);
      expect(
        await knex('dead_letters').where('id', Number(special.id)).first(),
      ).toEqual(beforeRaw);
      expect((await store.get(special.id))!.body.equals(body)).toBe(true);
      // Idempotent: a second restore reports it, and stores nothing more.
      const count = (await store.list('dev', {}, { limit: 50 })).totalCount;
      expect(await store.restore('dev', { ids: [special.id] })).toEqual({
        restored: [],
        skipped: [{ id: special.id, reason: 'already-present' }],
      });
      expect((await store.list('dev', {}, { limit: 50 })).totalCount).toBe(
        count,
      );
      // And it can be archived again.
      expect(await store.delete('dev', { ids: [special.id] }, 'u')).toBe(1);
      expect(await store.restore('dev', { ids: [special.id] })).toEqual({
        restored: [special.id],
        skipped: [],
      });

      // Purge: only what expired ('short' keeps 1 day; dev's 'old' has its
      // retention in a day; gemini 14 days).
      expect(await store.purgeArchive(new Date(now + 0.5 * DAY), 1)).toBe(0);
      expect(await store.purgeArchive(new Date(now + 1.5 * DAY), 1)).toBe(2);
      expect(
        (await store.listArchive('short', {}, { limit: 5 })).totalCount,
      ).toBe(0);
      expect(
        (await store.listArchive('dev', {}, { limit: 5 })).items.map(a => a.id),
      ).toEqual([gemini.id]);
    },
  );

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'has a migration that goes down and up again on %s',
    async id => {
      if (!ids.includes(id)) return;
      const { knex } = await storeFor(id);
      const directory = resolvePackagePath(
        '@internal/plugin-dead-letter-backend',
        'migrations',
      );
      await knex.migrate.down({ directory, name: '20261207110000_archive.js' });
      expect(await knex.schema.hasTable('dead_letter_archive')).toBe(false);
      expect(await knex.schema.hasTable('dead_letters')).toBe(true);
      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasTable('dead_letter_archive')).toBe(true);
    },
  );

  it('archives each row once when a delete races a redelivery holding some rows, on PostgreSQL', async () => {
    if (!ids.includes('POSTGRES_15')) return;
    const { store, knex } = await storeFor('POSTGRES_15');
    await store.insertBatch(
      Array.from({ length: 30 }, () => row({ environment: 'race' })),
    );
    const rows: Array<{ id: string }> = await knex('dead_letters')
      .where('environment', 'race')
      .orderBy('id')
      .select('id');
    // A redelivery's record moves 10 rows in a transaction still open.
    const trx = await knex.transaction();
    const redelivered = await store.archive(
      'race',
      { ids: rows.slice(0, 10).map(r => String(r.id)) },
      { reason: 'redelivered', by: 'user:default/redeliverer' },
      trx,
    );
    expect(redelivered).toBe(10);
    // A delete of everything meanwhile waits for the held rows.
    const deleting = store.delete(
      'race',
      { filter: {} },
      'user:default/deleter',
    );
    await new Promise(r => setTimeout(r, 200));
    await trx.commit();
    const deleted = await deleting;
    const { items: archived } = await store.listArchive(
      'race',
      {},
      { limit: 100 },
    );
    expect(archived).toHaveLength(30);
    expect(new Set(archived.map(a => a.id)).size).toBe(30);
    const by = (reason: string) =>
      archived.filter(a => a.archiveReason === reason).length;
    expect(by('redelivered')).toBe(10);
    expect(by('deleted')).toBe(deleted);
    expect(deleted).toBe(20);
    expect((await store.list('race', {}, { limit: 10 })).totalCount).toBe(0);
  });

  it.each(['POSTGRES_15', 'SQLITE_3'] as TestDatabaseId[])(
    'gives archived messages their squad once the catalog knows it, on %s',
    async id => {
      if (!ids.includes(id)) return;
      const { store } = await storeFor(id);
      await store.insertBatch([
        row({ squad: null, service: 'ledger' }),
        row({ squad: null, service: 'payments' }),
      ]);
      await store.delete('dev', { filter: { service: 'ledger' } }, 'u');
      expect(await store.servicesWithoutSquad(10)).toEqual([
        'ledger',
        'payments',
      ]);
      expect(await store.setSquad('ledger', 'squad-nasa')).toBe(1);
      expect(await store.servicesWithoutSquad(10)).toEqual(['payments']);
      expect(
        (await store.listArchive('dev', {}, { limit: 5 })).items.map(
          a => a.squad,
        ),
      ).toEqual(['squad-nasa']);
    },
  );
});
