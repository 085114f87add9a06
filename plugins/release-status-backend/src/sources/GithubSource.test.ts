import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { GithubSource } from './GithubSource';
import { SourceError } from './types';
import { startJsonServer } from '../__testUtils__/jsonServer';

const fixture = (name: string) =>
  JSON.parse(
    fs.readFileSync(
      path.join(__dirname, '../__fixtures__/github', `${name}.json`),
      'utf8',
    ),
  );

const REPO = '/repos/lunarway/card-clearing';

describe('GithubSource (recorded GitHub API responses)', () => {
  let token = 'ghp_valid';
  let server: Awaited<ReturnType<typeof startJsonServer>>;
  beforeAll(async () => {
    server = await startJsonServer(url => {
      if (token !== 'ghp_valid') {
        return { status: 401, body: fixture('bad-credentials') };
      }
      const routes: Record<string, unknown> = {
        [REPO]: fixture('repo'),
        [`${REPO}/commits/master`]: fixture('commit-master'),
        [`${REPO}/compare/prod...master`]: fixture('compare-prod-master'),
        [`${REPO}/compare/staging...master`]: fixture('compare-staging-master'),
        // A `develop` branch, for releaseStatus.git.defaultBranch.
        [`${REPO}/commits/develop`]: fixture('commit-master'),
        [`${REPO}/compare/prod...develop`]: fixture('compare-prod-master'),
      };
      const body = routes[url.pathname];
      if (url.pathname === `${REPO}/compare/broken...master`) {
        return { status: 502, body: { message: 'Server Error' } };
      }
      return body
        ? { status: 200, body }
        : { status: 404, body: fixture('not-found') };
    });
  });
  afterAll(() => server.close());

  function source(defaultBranch?: string) {
    const integrations = ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [{ host: 'github.com', apiBaseUrl: server.url, token }],
        },
      }),
    );
    return GithubSource.fromIntegrations(
      integrations,
      'github.com',
      defaultBranch,
    )!;
  }

  it('compares each environment tag with the default branch', async () => {
    const facts = await source().read(
      { projectSlug: 'lunarway/card-clearing', name: 'card-clearing' },
      ['dev', 'staging', 'prod'],
    );
    expect(facts!.defaultBranch).toBe('master');
    expect(facts!.head).toEqual({
      sha: '9f1c2e7a4b5d6c8e0f1a2b3c4d5e6f708192a3b4',
      author: 'Cecilie Dam',
      message: 'Tighten timeouts on outgoing calls (#212)',
      committedAt: '2026-11-20T14:03:11.000Z',
      url: 'https://github.com/lunarway/card-clearing/commit/9f1c2e7a4b5d6c8e0f1a2b3c4d5e6f708192a3b4',
    });
    expect(facts!.environments.get('prod')).toEqual({
      commit: {
        sha: '1c1508405e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b',
        author: 'Ada Holm',
        message: 'Handle duplicate clearing records (#198)',
        committedAt: '2026-10-30T09:12:45.000Z',
        url: 'https://github.com/lunarway/card-clearing/commit/1c1508405e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b',
      },
      drift: {
        commitsBehind: 7,
        oldestUnreleasedAt: '2026-11-07T10:00:00.000Z',
        compareUrl:
          'https://github.com/lunarway/card-clearing/compare/prod...master',
      },
    });
    expect(facts!.environments.get('staging')!.drift).toEqual({
      commitsBehind: 0,
      oldestUnreleasedAt: null,
    });
    // No dev tag: GitHub's 404 means not released there.
    expect(facts!.environments.has('dev')).toBe(false);
    // The token went to GitHub; one commit is enough per comparison.
    const compare = server.requests.find(r =>
      r.url.startsWith(`${REPO}/compare/prod`),
    )!;
    expect(compare.url).toContain('per_page=1');
    expect(compare.authorization).toMatch(/ghp_valid$/);
  });

  it('does not know a repository GitHub does not have', async () => {
    expect(
      await source().read({ projectSlug: 'lunarway/nope', name: 'nope' }, [
        'prod',
      ]),
    ).toBeUndefined();
  });

  it('reports refused credentials and server errors', async () => {
    await expect(
      source().read(
        { projectSlug: 'lunarway/card-clearing', name: 'card-clearing' },
        ['broken'],
      ),
    ).rejects.toMatchObject({ state: 'unreachable' });
    token = 'ghp_revoked';
    const error = await source()
      .read({ projectSlug: 'lunarway/card-clearing', name: 'x' }, ['prod'])
      .catch(e => e);
    token = 'ghp_valid';
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ state: 'error' });
    expect(error.message).toMatch(/401.*Bad credentials/);
  });

  it('measures against the configured branch instead of the default', async () => {
    const seen = server.requests.length;
    const facts = await source('develop').read(
      { projectSlug: 'lunarway/card-clearing', name: 'card-clearing' },
      ['prod'],
    );
    expect(facts!.defaultBranch).toBe('develop');
    expect(facts!.environments.get('prod')!.drift.commitsBehind).toBe(7);
    const urls = server.requests.slice(seen).map(r => r.url);
    expect(urls).toContain(`${REPO}/commits/develop`);
    expect(urls).toContain(`${REPO}/compare/prod...develop?per_page=1`);
    expect(urls.filter(u => u.includes('master'))).toEqual([]);
  });

  it('says when the configured branch does not exist', async () => {
    const error = await source('release')
      .read({ projectSlug: 'lunarway/card-clearing', name: 'x' }, ['prod'])
      .catch(e => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ state: 'error' });
    expect(error.message).toMatch(/no branch 'release'/);
  });

  it('only takes repositories with a valid project slug', async () => {
    const s = source();
    expect(
      s.handles({ projectSlug: 'lunarway/card-clearing', name: 'x' }),
    ).toBe(true);
    expect(s.handles({ projectSlug: 'lunarway/go.amqp', name: 'x' })).toBe(
      true,
    );
    expect(s.handles({ name: 'card-clearing' })).toBe(false);
    for (const projectSlug of [
      '../../etc',
      '../..',
      'lunarway/..',
      'lunarway/.',
      '../card-clearing',
      './card-clearing',
      'lunarway/card-clearing/..',
      'lunarway/',
      '',
    ]) {
      expect({
        projectSlug,
        handled: s.handles({ projectSlug, name: 'x' }),
      }).toEqual({ projectSlug, handled: false });
    }
    // Even asked directly, such a slug never reaches GitHub.
    const seen = server.requests.length;
    for (const projectSlug of ['lunarway/..', '../..']) {
      expect(
        await s.read({ projectSlug, name: 'x' }, ['prod']),
      ).toBeUndefined();
    }
    expect(server.requests.length).toBe(seen);
  });
});

describe('GithubSource conditional requests', () => {
  it('sends the ETag of the last answer and reuses it on 304; its version sees a moved tag', async () => {
    const seen: Array<{ url: string; ifNoneMatch?: string; status: number }> =
      [];
    let prodSha = fixture('compare-prod-master').base_commit.sha;
    const bodies = (): Record<string, unknown> => ({
      [REPO]: fixture('repo'),
      [`${REPO}/commits/master`]: fixture('commit-master'),
      [`${REPO}/git/matching-refs/tags/`]: [
        { ref: 'refs/tags/prod', object: { sha: prodSha } },
        { ref: 'refs/tags/v1.0.0', object: { sha: 'f'.repeat(40) } },
      ],
    });
    const server = http.createServer((req, res) => {
      const body = bodies()[new URL(req.url!, 'http://x').pathname];
      const etag = `"${Buffer.from(JSON.stringify(body ?? null)).toString(
        'base64url',
      )}"`.slice(0, 60);
      const ifNoneMatch = req.headers['if-none-match'] as string | undefined;
      let status = 200;
      if (!body) status = 404;
      else if (ifNoneMatch === etag) status = 304;
      seen.push({ url: req.url!, ifNoneMatch, status });
      res.writeHead(status, { 'Content-Type': 'application/json', etag });
      res.end(status === 200 ? JSON.stringify(body) : undefined);
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const github = GithubSource.fromIntegrations(
        ScmIntegrations.fromConfig(
          new ConfigReader({
            integrations: {
              github: [
                {
                  host: 'github.com',
                  apiBaseUrl: `http://127.0.0.1:${port}`,
                  token: 'ghp_valid',
                },
              ],
            },
          }),
        ),
      )!;
      const repo = { projectSlug: 'lunarway/card-clearing', name: 'x' };
      const first = await github.version(repo, ['dev', 'prod']);
      expect(seen.map(s => s.status)).toEqual([200, 200, 200]);
      seen.length = 0;
      // Unchanged: three 304s, the same version.
      expect(await github.version(repo, ['dev', 'prod'])).toBe(first);
      expect(seen.map(s => s.status)).toEqual([304, 304, 304]);
      expect(seen.every(s => s.ifNoneMatch)).toBe(true);
      // prod released elsewhere: another version.
      prodSha = 'e'.repeat(40);
      expect(await github.version(repo, ['dev', 'prod'])).not.toBe(first);
    } finally {
      await new Promise(r => server.close(r));
    }
  });
});
