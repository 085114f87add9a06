import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/test-utils';
import { SquadOverviewClient } from './SquadOverviewClient';

const base = 'http://backend.test/api/squad-overview';
const server = setupServer();
registerMswTestHooks(server);

const client = new SquadOverviewClient({
  discoveryApi: { getBaseUrl: async () => base },
  fetchApi: { fetch: (input, init) => fetch(input, init) },
});

describe('SquadOverviewClient', () => {
  it("asks for a squad's overview once while the cards load together", async () => {
    const urls: URL[] = [];
    server.use(
      http.get(`${base}/overview`, ({ request }) => {
        urls.push(new URL(request.url));
        return HttpResponse.json({ services: [] });
      }),
    );
    const [a, b] = await Promise.all([
      client.squadOverview('group:default/squad-nasa'),
      client.squadOverview('group:default/squad-nasa'),
    ]);
    expect(a).toBe(b);
    expect(urls.map(u => Object.fromEntries(u.searchParams))).toEqual([
      { squad: 'group:default/squad-nasa' },
    ]);
    // Settled: a later load asks anew.
    await client.squadOverview('group:default/squad-nasa');
    expect(urls).toHaveLength(2);
  });

  it('asks for every squad at /squads/overview', async () => {
    server.use(
      http.get(`${base}/squads/overview`, () =>
        HttpResponse.json({ squads: [] }),
      ),
    );
    expect(await client.squadsOverview()).toEqual({ squads: [] });
  });

  it("throws the backend's error with its message", async () => {
    server.use(
      http.get(`${base}/overview`, () =>
        HttpResponse.json(
          {
            error: { name: 'InputError', message: 'squad must be a group' },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );
    await expect(
      client.squadOverview('component:default/x'),
    ).rejects.toMatchObject({
      statusCode: 400,
      body: { error: { message: 'squad must be a group' } },
    });
  });
});
