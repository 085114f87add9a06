import { createServer, IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import { mockServices } from '@backstage/backend-test-utils';
import { ReleaseStatusLookup, suspectedRelease } from './releaseCorrelation';

const SHA = '9f3c2a1b7e0d4c5a6b7c8d9e0f1a2b3c4d5e6f7a';
const release = (releasedAt: string | null) => ({
  sha: SHA,
  artifactId: 'master-9f3c2a1b7e-67e9d69164',
  releasedAt,
  commitUrl: `https://github.com/lunarway/card-clearing/commit/${SHA}`,
});
const incident = {
  environment: 'prod',
  firstSeenAt: '2026-12-07T14:06:30.000Z',
};

describe('suspectedRelease', () => {
  it('names a release that reached the environment within the window before the first failure', () => {
    expect(
      suspectedRelease(release('2026-12-07T14:02:10.000Z'), incident, 60),
    ).toEqual({
      label: '9f3c2a1',
      minutesBefore: 4,
      link: `https://github.com/lunarway/card-clearing/commit/${SHA}`,
      sentence: 'first seen 4 min after 9f3c2a1 reached prod',
    });
  });

  it('suspects nothing released after the first failure, too long before, or at an unknown time', () => {
    expect(
      suspectedRelease(release('2026-12-07T14:07:00.000Z'), incident, 60),
    ).toBeNull();
    expect(
      suspectedRelease(release('2026-12-07T13:06:00.000Z'), incident, 60),
    ).toBeNull();
    expect(suspectedRelease(release(null), incident, 60)).toBeNull();
    expect(suspectedRelease(null, incident, 60)).toBeNull();
  });

  it('labels a release without a known commit by its artifact', () => {
    expect(
      suspectedRelease(
        { ...release('2026-12-07T14:06:00.000Z'), sha: null, commitUrl: null },
        incident,
        60,
      )?.sentence,
    ).toBe('first seen 0 min after master-9f3c2a1b7e-67e9d69164 reached prod');
  });
});

describe('ReleaseStatusLookup', () => {
  let server: Server;
  let base: string;
  const requests: Array<{ url?: string; headers: IncomingHttpHeaders }> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push({ url: req.url, headers: req.headers });
      if (req.url?.includes('unknown')) {
        res.writeHead(404).end('{}');
        return;
      }
      if (req.url?.includes('broken')) {
        res.writeHead(500).end('{}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          entityRef: 'component:default/card-clearing',
          environments: [
            { environment: 'dev', ...release('2026-12-07T10:00:00.000Z') },
            { environment: 'prod', ...release('2026-12-07T14:02:10.000Z') },
          ],
        }),
      );
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));

  const lookup = () =>
    new ReleaseStatusLookup({
      discovery: {
        getBaseUrl: async (id: string) => `${base}/api/${id}`,
        getExternalBaseUrl: async (id: string) => `${base}/api/${id}`,
      },
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    });

  it("reads the environment's release from release-status's /status with a service token", async () => {
    expect(await lookup().current('card-clearing', 'prod')).toEqual(
      release('2026-12-07T14:02:10.000Z'),
    );
    expect(requests[0].url).toBe(
      '/api/release-status/status?entityRef=component%3Adefault%2Fcard-clearing',
    );
    expect(requests[0].headers.authorization).toMatch(/^Bearer .+/);
    expect(await lookup().current('card-clearing', 'staging')).toBeNull();
  });

  it('is no release when release-status does not know the service or fails', async () => {
    expect(await lookup().current('unknown', 'prod')).toBeNull();
    expect(await lookup().current('broken', 'prod')).toBeNull();
  });
});
