import {
  mockCredentials,
  mockServices,
  startTestBackend,
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
