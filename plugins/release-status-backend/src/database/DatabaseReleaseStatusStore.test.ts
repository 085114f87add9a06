import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ReleaseStatus } from '@internal/plugin-release-status-common';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { DatabaseReleaseStatusStore } from './DatabaseReleaseStatusStore';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

const migrations = resolvePackagePath(
  '@internal/plugin-release-status-backend',
  'migrations',
);

const status = (entityRef: string, commitsBehind: number): ReleaseStatus => ({
  entityRef,
  service: entityRef.split('/')[1],
  owner: 'group:default/squad-nasa',
  defaultBranch: 'master',
  head: null,
  environments: [
    {
      environment: 'prod',
      sha: null,
      artifactId: null,
      commitUrl: null,
      author: null,
      message: null,
      committedAt: null,
      releasedAt: null,
      releasedBy: null,
      intent: null,
      buildUrl: null,
      drift: { commitsBehind, oldestUnreleasedAt: null },
    },
  ],
  autoReleasePolicies: [],
  sources: [],
  generatedAt: new Date(0).toISOString(),
});

describe('DatabaseReleaseStatusStore', () => {
  const ids: TestDatabaseId[] = ['POSTGRES_15', 'SQLITE_3'];
  let available = ids;
  beforeAll(async () => {
    if (!(await requirePostgres())) available = ['SQLITE_3'];
  });
  const databases = TestDatabases.create({ ids });

  it.each(ids)(
    'keeps statuses, checks and errors per component on %s',
    async id => {
      if (!available.includes(id)) return;
      const store = await DatabaseReleaseStatusStore.create({
        database: mockServices.database({ knex: await databases.init(id) }),
      });
      const a = 'component:default/Card-Clearing';
      const b = 'component:default/term-deposit';
      const t1 = new Date(Date.UTC(2026, 11, 7, 12, 0, 0, 123));
      const t2 = new Date(t1.getTime() + 60_000);
      expect(await store.get(a)).toBeUndefined();

      await store.saveComputed({
        entityRef: a,
        ownerRef: 'group:default/Squad-A',
        status: status(a, 3),
        fingerprint: 'f1',
        at: t1,
        error: null,
      });
      // Refs are case-insensitive, as in the catalog.
      expect(await store.get(a.toLowerCase())).toEqual({
        entityRef: a.toLowerCase(),
        status: status(a, 3),
        fingerprint: 'f1',
        computedAt: t1.toISOString(),
        checkedAt: t1.toISOString(),
        lastError: null,
        lastErrorAt: null,
      });

      // Owners are case-insensitive too.
      expect([
        ...(await store.listByOwner('group:default/squad-a')).keys(),
      ]).toEqual([a.toLowerCase()]);

      // The component moved to another squad: a check records it.
      await store.markChecked(a, t2, 'group:default/squad-b');
      expect(await store.get(a)).toMatchObject({
        computedAt: t1.toISOString(),
        checkedAt: t2.toISOString(),
      });
      expect((await store.listByOwner('group:default/squad-a')).size).toBe(0);

      // A failed refresh keeps the last status.
      await store.saveError(a, 'boom', t2, 'group:default/squad-b');
      expect(await store.get(a)).toMatchObject({
        status: status(a, 3),
        lastError: 'boom',
        lastErrorAt: t2.toISOString(),
      });
      // ... and a component never computed gets a row with only the error.
      await store.saveError(b, 'unreachable', t2, null);
      expect(await store.get(b)).toMatchObject({
        status: null,
        computedAt: null,
        lastError: 'unreachable',
      });

      // Recomputed: new status, error cleared.
      await store.saveComputed({
        entityRef: a,
        ownerRef: 'group:default/squad-b',
        status: status(a, 5),
        fingerprint: null,
        at: t2,
        error: null,
      });
      const many = await store.getMany([a, b, 'component:default/none']);
      expect([...many.keys()].sort()).toEqual([a.toLowerCase(), b]);
      expect(many.get(a.toLowerCase())).toMatchObject({
        status: status(a, 5),
        fingerprint: null,
        lastError: null,
      });

      const squadB = await store.listByOwner('group:default/squad-b');
      expect([...squadB.keys()]).toEqual([a.toLowerCase()]);
      expect(squadB.get(a.toLowerCase())).toEqual(many.get(a.toLowerCase()));
      // Without an owner: every component, b (no owner) included.
      expect([...(await store.listByOwner()).keys()].sort()).toEqual([
        a.toLowerCase(),
        b,
      ]);

      expect((await store.listEntityRefs()).sort()).toEqual([
        a.toLowerCase(),
        b,
      ]);
      await store.remove([b]);
      expect(await store.listEntityRefs()).toEqual([a.toLowerCase()]);
    },
  );

  it.each(ids)('migrates down and up again on %s', async id => {
    if (!available.includes(id)) return;
    const knex = await databases.init(id);
    await knex.migrate.latest({ directory: migrations });
    expect(await knex.schema.hasTable('release_status')).toBe(true);
    expect(await knex.schema.hasColumn('release_status', 'owner_ref')).toBe(
      true,
    );
    await knex.migrate.down({ directory: migrations });
    expect(await knex.schema.hasColumn('release_status', 'owner_ref')).toBe(
      false,
    );
    await knex.migrate.rollback({ directory: migrations }, true);
    expect(await knex.schema.hasTable('release_status')).toBe(false);
    await knex.migrate.latest({ directory: migrations });
    expect(await knex.schema.hasTable('release_status')).toBe(true);
  });
});
