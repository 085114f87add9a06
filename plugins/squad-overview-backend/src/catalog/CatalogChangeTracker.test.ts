import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DatabasePulseStore } from '../database/DatabasePulseStore';
import { CatalogChangeTracker } from './CatalogChangeTracker';

const NASA = 'group:default/squad-nasa';
const GEMINI = 'group:default/squad-gemini';

function component(name: string, owner?: string, service?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: service
        ? { 'lunar.app/release-manager-service': service }
        : {},
    },
    spec: { type: 'service', lifecycle: 'production', owner: owner ?? '' },
    relations: owner ? [{ type: 'ownedBy', targetRef: owner }] : [],
  };
}

describe('CatalogChangeTracker', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('records services added, removed and moved, after a silent first look', async () => {
    const store = await DatabasePulseStore.create({
      database: mockServices.database({
        knex: await databases.init('SQLITE_3'),
      }),
    });
    let minute = 0;
    let entities: Entity[] = [];
    // One tracker, as the plugin has, over a catalog that changes.
    const tracker = new CatalogChangeTracker({
      store,
      catalog: {
        queryEntities: (request: any, options: any) =>
          catalogServiceMock({ entities }).queryEntities(request, options),
      } as any,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      now: () => new Date(Date.UTC(2026, 11, 1, 8, minute++)),
    });
    const run = (next: Entity[]) => {
      entities = next;
      return tracker.run();
    };

    // A new installation while the catalog is still loading: nothing is
    // "added" until a look finds it unchanged.
    expect(await run([component('authentication', NASA, 'auth')])).toBe(0);
    // More of it loaded: still nothing "added".
    expect(
      await run([
        component('authentication', NASA, 'auth'),
        component('dead-letter', NASA),
        component('card-clearing', GEMINI),
        { ...component('an-api', NASA), kind: 'API' },
      ]),
    ).toBe(0);
    expect(await store.listForSquad(NASA, 10)).toEqual([]);
    expect((await store.findService('auth'))?.entityRef).toBe(
      'component:default/authentication',
    );
    // Nothing changed: the catalog has loaded; changes count from now on.
    expect(
      await run([
        component('authentication', NASA, 'auth'),
        component('dead-letter', NASA),
        component('card-clearing', GEMINI),
      ]),
    ).toBe(0);

    // payments is new, dead-letter moved to gemini, card-clearing removed.
    expect(
      await run([
        component('authentication', NASA, 'auth'),
        component('dead-letter', GEMINI),
        component('payments', NASA),
      ]),
    ).toBe(4);
    expect(
      (await store.listForSquad(NASA, 10)).map(e => [e.kind, e.summary]),
    ).toEqual(
      expect.arrayContaining([
        ['service-added', 'payments was added to the catalog'],
        ['owner-changed', 'dead-letter moved from squad-nasa to squad-gemini'],
      ]),
    );
    const gemini = await store.listForSquad(GEMINI, 10);
    expect(gemini.map(e => [e.kind, e.summary, e.entityRef])).toEqual(
      expect.arrayContaining([
        [
          'owner-changed',
          'dead-letter moved from squad-nasa to squad-gemini',
          'component:default/dead-letter',
        ],
        ['service-removed', 'card-clearing was removed from the catalog', null],
      ]),
    );
    expect(gemini).toHaveLength(2);
    expect((await store.snapshot()).map(e => e.entityRef).sort()).toEqual([
      'component:default/authentication',
      'component:default/dead-letter',
      'component:default/payments',
    ]);

    // An empty catalog (new database, outage) removes nothing.
    expect(await run([])).toBe(0);
    expect(await store.snapshot()).toHaveLength(3);
    expect(await store.listForSquad(NASA, 10)).toHaveLength(2);
  });
});
