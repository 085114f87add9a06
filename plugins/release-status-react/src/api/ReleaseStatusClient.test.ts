import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/test-utils';
import { ReleaseStatusClient } from './ReleaseStatusClient';

const base = 'http://backend.test/api/release-status';
const server = setupServer();
registerMswTestHooks(server);

const client = new ReleaseStatusClient({
  discoveryApi: { getBaseUrl: async () => base },
  fetchApi: { fetch: (input, init) => fetch(input, init) },
});

describe('ReleaseStatusClient', () => {
  it('asks for a status by entity ref, refreshing only when asked', async () => {
    const urls: URL[] = [];
    server.use(
      http.get(`${base}/status`, ({ request }) => {
        urls.push(new URL(request.url));
        return HttpResponse.json({ service: 'card-clearing' });
      }),
    );
    expect(await client.status('component:default/card-clearing')).toEqual({
      service: 'card-clearing',
    });
    await client.status('component:default/card-clearing', { refresh: true });
    expect(urls.map(u => Object.fromEntries(u.searchParams))).toEqual([
      { entityRef: 'component:default/card-clearing' },
      { entityRef: 'component:default/card-clearing', refresh: 'true' },
    ]);
  });

  it('refreshes one component with a POST', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post(`${base}/refresh`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ service: 'card-clearing' });
      }),
    );
    expect(await client.refresh('component:default/card-clearing')).toEqual({
      service: 'card-clearing',
    });
    expect(bodies).toEqual([{ entityRef: 'component:default/card-clearing' }]);
  });

  it('filters the overview by owner and surfaces errors with their reason', async () => {
    let owner: string | null = null;
    server.use(
      http.get(`${base}/overview`, ({ request }) => {
        owner = new URL(request.url).searchParams.get('owner');
        return HttpResponse.json(
          {
            error: {
              name: 'InputError',
              message: 'owner is not an entity reference',
            },
            request: { method: 'GET', url: '/overview' },
            response: { statusCode: 400 },
          },
          { status: 400 },
        );
      }),
    );
    await expect(
      client.overview({ owner: 'group:default/squad-nasa' }),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 400,
      body: { error: { message: 'owner is not an entity reference' } },
    });
    expect(owner).toBe('group:default/squad-nasa');
  });
});
