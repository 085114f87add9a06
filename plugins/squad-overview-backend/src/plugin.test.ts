import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { squadOverviewPlugin } from './plugin';

const squad = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'squad-nasa', namespace: 'default' },
  spec: { type: 'squad', children: [] },
};

describe('squad-overview backend', () => {
  it('serves the pulse and pull requests, with clear errors for bad input', async () => {
    const { server } = await startTestBackend({
      features: [
        squadOverviewPlugin,
        catalogServiceMock.factory({ entities: [squad] }),
        mockServices.rootConfig.factory({ data: {} }),
        // Requests without a token are anonymous, as in production.
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    });
    const user = {
      Authorization: mockCredentials.user.header('user:default/guest'),
    };

    const missing = await request(server)
      .get('/api/squad-overview/pulse')
      .set(user);
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/squad is required/);

    const notGroup = await request(server)
      .get('/api/squad-overview/pulse?squad=component:default/x')
      .set(user);
    expect(notGroup.status).toBe(400);
    expect(notGroup.body.error.message).toMatch(/must be a group/);

    const badLimit = await request(server)
      .get('/api/squad-overview/pulse?squad=squad-nasa&limit=0')
      .set(user);
    expect(badLimit.status).toBe(400);

    const unknown = await request(server)
      .get('/api/squad-overview/pulse?squad=group:default/squad-nobody')
      .set(user);
    expect(unknown.status).toBe(404);

    const pulse = await request(server)
      .get('/api/squad-overview/pulse?squad=group:default/squad-nasa')
      .set(user);
    expect(pulse.status).toBe(200);
    expect(pulse.body).toEqual({
      items: [],
      sources: { catalog: true, releaseEvents: false },
    });

    const prs = await request(server)
      .get('/api/squad-overview/pull-requests?owner=squad-nasa')
      .set(user);
    expect(prs.status).toBe(200);
    expect(prs.body.state).toBe('not-configured');

    const anonymous = await request(server).get(
      '/api/squad-overview/pulse?squad=squad-nasa',
    );
    expect(anonymous.status).toBe(401);
  });
});

describe('squad-overview backend pulse', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('shows only entries about components the caller can see in the catalog', async () => {
    const knex = await databases.init('SQLITE_3');
    const visible = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'payments', namespace: 'default' },
      spec: { type: 'service', owner: 'group:default/squad-nasa' },
    };
    const { server } = await startTestBackend({
      features: [
        squadOverviewPlugin,
        catalogServiceMock.factory({ entities: [squad, visible] }),
        mockServices.rootConfig.factory({ data: {} }),
        mockServices.database.factory({ knex }),
      ],
    });
    let n = 0;
    const row = (entityRef: string | null, summary: string) => ({
      dedup_key: `k${++n}`,
      kind: 'service-added',
      occurred_at: new Date(Date.UTC(2026, 11, 1, 8, n)),
      squad: 'group:default/squad-nasa',
      entity_ref: entityRef,
      service: 'x',
      summary,
    });
    await knex('pulse_events').insert([
      row('component:default/payments', 'visible'),
      // Not in the caller's catalog view (not permitted, or gone).
      row('component:default/secret-service', 'hidden'),
      row(null, 'removed service'),
    ]);
    const res = await request(server)
      .get('/api/squad-overview/pulse?squad=squad-nasa')
      .set({
        Authorization: mockCredentials.user.header('user:default/guest'),
      });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { summary: string }) => i.summary)).toEqual([
      'removed service',
      'visible',
    ]);
  });
});
