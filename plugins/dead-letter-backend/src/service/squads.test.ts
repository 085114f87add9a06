import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createSquadResolver } from './squads';

/** A catalog that fills up while the test runs, as it does after a start. */
function fillingCatalog() {
  const entities: Entity[] = [];
  let calls = 0;
  const catalog = {
    getEntitiesByRefs: async ({ entityRefs }: { entityRefs: string[] }) => {
      calls += 1;
      return {
        items: entityRefs.map(
          ref =>
            entities.find(
              e => `component:default/${e.metadata.name}` === ref,
            ) ?? undefined,
        ),
      };
    },
  } as unknown as CatalogService;
  const add = (name: string, owner: string) =>
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name },
      spec: { owner },
    });
  return { catalog, add, calls: () => calls };
}

describe('createSquadResolver', () => {
  afterEach(() => jest.useRealTimers());

  it('asks the catalog once per service, asks again about unknown services after 10 s, and reports owners found late', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-07T10:00:00Z') });
    const { catalog, add, calls } = fillingCatalog();
    const found: Array<[string, string]> = [];
    const resolve = createSquadResolver({
      catalog,
      auth: mockServices.auth(),
      ttlSeconds: 300,
      onOwnerFound: (service, squad) => found.push([service, squad]),
    });
    add('loans', 'group:default/squad-money');

    // A known service is resolved and reported; an unknown one is null.
    let squads = await resolve(['loans', 'card-clearing']);
    expect(squads.get('loans')).toBe('squad-money');
    expect(squads.get('card-clearing')).toBeNull();
    expect(found).toEqual([['loans', 'squad-money']]);
    expect(calls()).toBe(1);

    // The catalog learns the owner; the unknown answer is still cached.
    add('card-clearing', 'squad-nasa');
    squads = await resolve(['loans', 'card-clearing']);
    expect(squads.get('card-clearing')).toBeNull();
    expect(calls()).toBe(1);

    // After 10 s the unknown service is asked again, and its owner reported
    // once, so the messages stored meanwhile can get their squad.
    jest.setSystemTime(new Date('2026-12-07T10:00:11Z'));
    squads = await resolve(['loans', 'card-clearing']);
    expect(squads.get('card-clearing')).toBe('squad-nasa');
    expect(squads.get('loans')).toBe('squad-money');
    expect(calls()).toBe(2);
    expect(found).toEqual([
      ['loans', 'squad-money'],
      ['card-clearing', 'squad-nasa'],
    ]);

    // A known owner asked again after the cache time is not news.
    jest.setSystemTime(new Date('2026-12-07T10:10:00Z'));
    squads = await resolve(['loans', 'card-clearing']);
    expect(squads.get('loans')).toBe('squad-money');
    expect(calls()).toBe(3);
    expect(found).toHaveLength(2);
  });
});
