import { createServer, IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import { mockServices } from '@backstage/backend-test-utils';
import { ReleaseStatusLookup, suspectedRelease } from './releaseCorrelation';

const SHA = '9f3c2a1b7e0d4c5a6b7c8d9e0f1a2b3c4d5e6f7a';
const BEFORE = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
const release = (releasedAt: string | null) => ({
  sha: SHA,
  artifactId: 'master-9f3c2a1b7e-67e9d69164',
  releasedAt,
  commitUrl: `https://github.com/lunarway/card-clearing/commit/${SHA}`,
  previous: null,
  compareUrl: null,
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
      gitLog: null,
      sentence: 'first seen 4 min after 9f3c2a1 reached prod',
    });
  });

  it("links the changes since the release before: GitHub's compare, else the git log to run", () => {
    const previous = {
      sha: BEFORE,
      artifactId: 'master-1a2b3c4d5e-67e9d69164',
      releasedAt: '2026-12-06T09:00:00.000Z',
    };
    const compareUrl = `https://github.com/lunarway/card-clearing/compare/${BEFORE}...${SHA}`;
    expect(
      suspectedRelease(
        { ...release('2026-12-07T14:02:10.000Z'), previous, compareUrl },
        incident,
        60,
      ),
    ).toMatchObject({ link: compareUrl, gitLog: null });
    // A local repository: no page, the commits to compare.
    expect(
      suspectedRelease(
        {
          ...release('2026-12-07T14:02:10.000Z'),
          commitUrl: null,
          previous,
        },
        incident,
        60,
      ),
    ).toMatchObject({
      link: null,
      gitLog: 'git log --oneline 1a2b3c4..9f3c2a1',
    });
  });

  it('suspects the release before when the current one came after the first failure', () => {
    const previous = {
      sha: BEFORE,
      artifactId: 'master-1a2b3c4d5e-67e9d69164',
      releasedAt: '2026-12-07T13:58:00.000Z',
    };
    // 9f3c2a1 (a rollback or a fix) reached prod after the first failure.
    expect(
      suspectedRelease(
        { ...release('2026-12-07T14:20:00.000Z'), previous },
        incident,
        60,
      ),
    ).toEqual({
      label: '1a2b3c4',
      minutesBefore: 8,
      link: null,
      gitLog: null,
      sentence: 'first seen 8 min after 1a2b3c4 reached prod',
    });
    // ... unless it, too, is outside the window.
    expect(
      suspectedRelease(
        {
          ...release('2026-12-07T14:20:00.000Z'),
          previous: { ...previous, releasedAt: '2026-12-07T12:00:00.000Z' },
        },
        incident,
        60,
      ),
    ).toBeNull();
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
