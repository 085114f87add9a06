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
  it('asks for a squad pulse with its limit', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${base}/pulse`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({
          items: [],
          sources: { catalog: true, releaseEvents: false },
        });
      }),
    );
    const pulse = await client.pulse('group:default/squad-nasa', 20);
    expect(pulse.sources.releaseEvents).toBe(false);
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      squad: 'group:default/squad-nasa',
      limit: '20',
    });
  });

  it("throws the backend's error with its message", async () => {
    server.use(
      http.get(`${base}/pull-requests`, () =>
        HttpResponse.json(
          {
            error: { name: 'InputError', message: 'owner must be a group' },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );
    await expect(
      client.pullRequests('component:default/x'),
    ).rejects.toMatchObject({
      statusCode: 400,
      body: { error: { message: 'owner must be a group' } },
    });
  });
});
