import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/test-utils';
import { DeadLetterClient } from './DeadLetterClient';

const base = 'http://backend.test/api/dead-letter';
const server = setupServer();
registerMswTestHooks(server);

const client = new DeadLetterClient({
  discoveryApi: { getBaseUrl: async () => base },
  fetchApi: { fetch: (input, init) => fetch(input, init) },
});

describe('DeadLetterClient', () => {
  it('lists with the filter and cursor in the query, leaving out empty values', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${base}/dead-letters`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({
          items: [],
          totalCount: 7,
          nextCursor: 'c2',
        });
      }),
    );
    const page = await client.list(
      'prod',
      { service: 'card-clearing', error: 'timeout', queue: undefined },
      { limit: 50, cursor: 'c1' },
    );
    expect(page).toEqual({ items: [], totalCount: 7, nextCursor: 'c2' });
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      environment: 'prod',
      service: 'card-clearing',
      error: 'timeout',
      limit: '50',
      cursor: 'c1',
    });
  });

  it('sends selections as JSON bodies', async () => {
    let body: unknown;
    server.use(
      http.post(`${base}/dead-letters/redeliver`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ redelivered: 1, failed: [] });
      }),
      http.delete(`${base}/dead-letters`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ deleted: 3 });
      }),
    );
    await expect(
      client.redeliver({ environment: 'dev', ids: ['4'] }),
    ).resolves.toEqual({ redelivered: 1, failed: [] });
    expect(body).toEqual({ environment: 'dev', ids: ['4'] });
    await expect(
      client.delete({ environment: 'dev', filter: { service: 'x' } }),
    ).resolves.toEqual({ deleted: 3 });
    expect(body).toEqual({ environment: 'dev', filter: { service: 'x' } });
  });

  it('lists the archive and restores by ids', async () => {
    let url: URL | undefined;
    let body: unknown;
    server.use(
      http.get(`${base}/archive`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({
          items: [],
          totalCount: 0,
          nextCursor: null,
        });
      }),
      http.post(`${base}/archive/restore`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ restored: ['4'], skipped: [] });
      }),
    );
    await client.listArchive(
      'dev',
      { archiveReason: 'deleted' },
      { limit: 25, cursor: 'c' },
    );
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      environment: 'dev',
      archiveReason: 'deleted',
      limit: '25',
      cursor: 'c',
    });
    await expect(
      client.restore({ environment: 'dev', ids: ['4'] }),
    ).resolves.toEqual({ restored: ['4'], skipped: [] });
    expect(body).toEqual({ environment: 'dev', ids: ['4'] });
  });

  it('previews and starts redelivery jobs, lists them and steers one', async () => {
    const bodies: unknown[] = [];
    const paths: string[] = [];
    server.use(
      http.post(`${base}/redeliveries`, async ({ request }) => {
        const body = (await request.json()) as { dryRun?: boolean };
        bodies.push(body);
        return body.dryRun
          ? HttpResponse.json({ dryRun: true, total: 3 })
          : HttpResponse.json({ id: '7', state: 'queued' }, { status: 202 });
      }),
      http.get(`${base}/redeliveries`, ({ request }) => {
        paths.push(new URL(request.url).search);
        return HttpResponse.json({ items: [] });
      }),
      http.post(`${base}/redeliveries/:id/:action`, ({ params }) => {
        paths.push(`${params.id}/${params.action}`);
        return HttpResponse.json({ id: params.id, state: 'paused' });
      }),
    );
    const selection = { environment: 'dev', filter: { service: 'x' } };
    await expect(client.previewRedelivery(selection)).resolves.toEqual({
      dryRun: true,
      total: 3,
    });
    await expect(
      client.createRedelivery({ ...selection, rate: 20 }),
    ).resolves.toEqual({ id: '7', state: 'queued' });
    expect(bodies).toEqual([
      { ...selection, dryRun: true },
      { ...selection, rate: 20 },
    ]);
    await expect(client.redeliveries('dev')).resolves.toEqual({ items: [] });
    await expect(client.controlRedelivery('7', 'pause')).resolves.toEqual({
      id: '7',
      state: 'paused',
    });
    expect(paths).toEqual(['?environment=dev', '7/pause']);
  });

  it("throws the backend's reason on failure", async () => {
    server.use(
      http.delete(`${base}/dead-letters`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: 'not allowed to delete dead letters',
            },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    await expect(
      client.delete({ environment: 'dev', ids: ['1'] }),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 403,
      body: { error: { message: 'not allowed to delete dead letters' } },
    });
  });
});
