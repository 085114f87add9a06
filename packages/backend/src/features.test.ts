import { resolve } from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { features } from './features';

const repoRoot = resolve(__dirname, '../../..');

/**
 * Starts every feature that production starts, on an in-memory database,
 * with the sample organisation, and checks the plugins answer together.
 */
describe('backend wiring', () => {
  jest.setTimeout(60_000);

  it('starts all plugins and serves the catalog, search and TechDocs APIs', async () => {
    const { server } = await startTestBackend({
      features: [
        ...features,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: { baseUrl: 'http://localhost:7007' },
            auth: {
              providers: {
                guest: { dangerouslyAllowOutsideDevelopment: true },
              },
            },
            techdocs: {
              builder: 'local',
              generator: { runIn: 'local' },
              publisher: { type: 'local' },
            },
            catalog: {
              rules: [
                { allow: ['Component', 'System', 'API', 'Group', 'User'] },
              ],
              locations: [
                {
                  type: 'file',
                  target: resolve(repoRoot, 'catalog-info.yaml'),
                },
                {
                  type: 'file',
                  target: resolve(repoRoot, 'examples/org.yaml'),
                },
                {
                  type: 'file',
                  target: resolve(repoRoot, 'examples/entities.yaml'),
                },
              ],
            },
          },
        }),
      ],
    });
    const user = mockCredentials.user('user:default/guest');
    const auth = {
      Authorization: mockCredentials.user.header(user.principal.userEntityRef),
    };

    // Catalog: the sample squads arrive through the configured locations
    // (each entity on its own: wait for all of them, not the first).
    const expected = ['lunar', 'squad-nasa', 'squad-gemini'];
    let groups: string[] = [];
    const arrived = () => expected.every(g => groups.includes(g));
    for (let i = 0; i < 100 && !arrived(); i++) {
      const res = await request(server)
        .get('/api/catalog/entities?filter=kind=group')
        .set(auth);
      expect(res.status).toBe(200);
      groups = res.body.map((e: any) => e.metadata.name);
      if (!arrived()) await new Promise(r => setTimeout(r, 300));
    }
    expect(groups).toEqual(expect.arrayContaining(expected));

    // Readiness runs the plugins' database checks (Lunar's rootHealth).
    const ready = await request(server).get('/.backstage/health/v1/readiness');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok' });

    // Without credentials the catalog refuses.
    const anonymous = await request(server)
      .get('/api/catalog/entities')
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);

    // Search and TechDocs are mounted and answer authenticated calls.
    const search = await request(server)
      .get('/api/search/query?term=squad')
      .set(auth);
    expect(search.status).toBe(200);
    expect(search.body).toHaveProperty('results');

    const techdocs = await request(server)
      .get(
        '/api/techdocs/metadata/entity/default/component/lunar-developer-portal',
      )
      .set(auth);
    // Not built yet in this test: a 404 from TechDocs itself, not from routing.
    expect([200, 404]).toContain(techdocs.status);
    expect(techdocs.headers['content-type']).toMatch(/json/);

    // Lunar's dead-letter API is mounted; no environment is configured here.
    const environments = await request(server)
      .get('/api/dead-letter/environments')
      .set(auth);
    expect(environments.status).toBe(200);
    expect(environments.body).toEqual([]);

    // The release-status API is mounted and validates its input.
    const releaseStatus = await request(server)
      .get('/api/release-status/status')
      .set(auth);
    expect(releaseStatus.status).toBe(400);
    expect(releaseStatus.body.error.message).toMatch(/entityRef is required/);

    // Guest sign-in works where it is allowed.
    const guest = await request(server).post('/api/auth/guest/refresh');
    expect(guest.status).toBe(200);
    expect(guest.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:development/guest',
    );
  });
});
