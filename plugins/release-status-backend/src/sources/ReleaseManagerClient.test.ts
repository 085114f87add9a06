import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ReleaseManagerClient } from './ReleaseManagerClient';
import { SourceError } from './types';
import { startReleaseManager } from '../__testUtils__/releaseManager';
import { startJsonServer } from '../__testUtils__/jsonServer';

const ENVIRONMENTS = ['dev', 'staging', 'prod'];

describe('ReleaseManagerClient (contract with release-manager response shapes)', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  let rm: Awaited<ReturnType<typeof startReleaseManager>>;
  beforeAll(async () => {
    rm = await startReleaseManager({ token: 'rm-token', now });
  });
  afterAll(() => rm.close());

  const client = (token = 'rm-token', baseUrl = rm.url, timeoutMs = 2000) =>
    new ReleaseManagerClient({ baseUrl, token, timeoutMs });

  it('reads each environment, its release and the auto-release policies', async () => {
    const facts = await client().facts('card-clearing', ENVIRONMENTS);
    expect([...facts!.environments.keys()]).toEqual(['dev', 'staging', 'prod']);
    expect(facts!.environments.get('prod')).toEqual({
      artifactId: rm.artifacts['card-clearing'].prod,
      sha: 'a'.repeat(40),
      author: 'Dennis Krogh',
      message: 'Handle duplicate clearing records',
      committedAt: new Date(
        rm.releases.prod.releasedAt - 600_000,
      ).toISOString(),
      buildUrl: 'https://jenkins.example/job/card-clearing/prod',
      releasedAt: new Date(rm.releases.prod.releasedAt).toISOString(),
      releasedBy: 'Ada Holm',
      intent: { type: 'Promote', fromEnvironment: 'staging' },
      // The release before, from prod's history.
      previous: {
        sha: 'b'.repeat(40),
        artifactId: `master-${'b'.repeat(10)}-67e9d69164`,
        releasedAt: new Date(
          rm.releases.prod.releasedAt - 86_400_000,
        ).toISOString(),
      },
    });
    // dev's history holds one release: nothing before it.
    expect(facts!.environments.get('dev')!.previous).toBeNull();
    // Only the message's first line; intents keep their own details.
    expect(facts!.environments.get('dev')!.message).toBe(
      'Tighten timeouts on outgoing calls',
    );
    expect(facts!.environments.get('dev')!.intent).toEqual({
      type: 'AutoRelease',
    });
    expect(facts!.environments.get('staging')!.intent).toEqual({
      type: 'ReleaseBranch',
      branch: 'master',
    });
    expect(facts!.policies).toEqual([
      { id: 'auto-master-dev', branch: 'master', environment: 'dev' },
    ]);
    // Bearer token on every call; two releases per environment asked for.
    const calls = rm.requests.slice(-5);
    expect(calls.every(c => c.authorization === 'Bearer rm-token')).toBe(true);
    expect(calls.map(c => c.url).sort()).toEqual([
      '/describe/release/card-clearing/dev?count=2',
      '/describe/release/card-clearing/prod?count=2',
      '/describe/release/card-clearing/staging?count=2',
      '/policies?service=card-clearing',
      '/status?service=card-clearing',
    ]);
  });

  it('treats a service with no environment as unknown', async () => {
    expect(
      await client().facts('no-such-service', ENVIRONMENTS),
    ).toBeUndefined();
  });

  it('reports a refused token with release-manager’s message', async () => {
    const error = await client('stolen')
      .facts('card-clearing', ENVIRONMENTS)
      .catch(e => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error.state).toBe('error');
    expect(error.message).toBe(
      'release-manager refused the configured token (401): please provide a valid authentication token',
    );
  });

  it('reports server errors and an unreachable server as unreachable', async () => {
    await expect(client().facts('broken', ENVIRONMENTS)).rejects.toMatchObject({
      state: 'unreachable',
      message: 'release-manager answered 500 for /status: Unknown error',
    });
    // Nothing listens on a port we just freed.
    const probe = http.createServer();
    await new Promise<void>(r => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise(r => probe.close(r));
    await expect(
      client('rm-token', `http://127.0.0.1:${port}`).facts(
        'card-clearing',
        ENVIRONMENTS,
      ),
    ).rejects.toMatchObject({
      state: 'unreachable',
      message: expect.stringMatching(/could not be reached/),
    });
  });

  it('gives up after the timeout', async () => {
    const slow = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>(r => slow.listen(0, '127.0.0.1', r));
    const { port } = slow.address() as AddressInfo;
    try {
      const started = Date.now();
      await expect(
        client('rm-token', `http://127.0.0.1:${port}`, 200).facts(
          'x',
          ENVIRONMENTS,
        ),
      ).rejects.toMatchObject({ state: 'unreachable' });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      slow.closeAllConnections();
      await new Promise(r => slow.close(r));
    }
  });

  it('understands the older plain-string intents', async () => {
    const old = await startJsonServer(url => {
      if (url.pathname === '/status') {
        return {
          status: 200,
          body: { prod: { tag: 'master-1c1508405e-67e9d69164', date: now } },
        };
      }
      if (url.pathname === '/describe/release/legacy/prod') {
        return {
          status: 200,
          body: {
            releases: [
              {
                artifact: { id: 'master-1c1508405e-67e9d69164' },
                releasedAt: '2026-11-01T10:00:00Z',
                releasedByEmail: 'ops@lunar.example',
                intent: 'Rollback',
              },
            ],
          },
        };
      }
      return undefined;
    });
    try {
      const facts = await client('t', old.url).facts('legacy', ENVIRONMENTS);
      expect(facts!.environments.get('prod')).toMatchObject({
        releasedBy: 'ops@lunar.example',
        intent: { type: 'Rollback' },
        sha: null,
      });
      expect(facts!.policies).toEqual([]);
    } finally {
      await old.close();
    }
  });
});
