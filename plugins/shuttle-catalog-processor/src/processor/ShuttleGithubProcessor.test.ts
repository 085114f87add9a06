import { createHash } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { mockServices } from '@backstage/backend-test-utils';
import {
  CatalogProcessorCache,
  CatalogProcessorResult,
  LocationSpec,
} from '@backstage/plugin-catalog-node';
import { readShuttleProcessorConfig } from '../config';
import {
  ShuttleLocationReader,
  createShuttleLocationReader,
} from '../parser/createShuttleParser';
import { ShuttleGithubProcessor } from './ShuttleGithubProcessor';

// Two cycles over 1,000 repositories take a few seconds, more on a busy machine.
jest.setTimeout(60_000);

const TOKEN = 'stand-in-token';
const REPOSITORIES = 1000;

type Repo = Map<string, string>;

const sha = (text: string) => createHash('sha1').update(text).digest('hex');

/**
 * A stand-in for GitHub's REST API over real HTTP, with the endpoints the
 * processor uses (git trees, git blobs) in GitHub's response shapes: ETags,
 * `If-None-Match` answered 304 (not counted against the rate limit, as on
 * GitHub), x-ratelimit-* headers, 403 when the limit is spent and 429 with
 * Retry-After for a secondary limit.
 */
class StandInGithub {
  readonly repos = new Map<string, Repo>();
  readonly requestsByPath = new Map<string, number>();
  readonly statuses = new Map<number, number>();
  conditionalRequests = 0;
  limit = 5000;
  used = 0;
  /** When set, every request gets a secondary rate limit answer. */
  secondaryLimit = false;
  private server?: http.Server;
  baseUrl = '';

  get requests() {
    let n = 0;
    for (const c of this.requestsByPath.values()) n += c;
    return n;
  }

  resetCounts() {
    this.requestsByPath.clear();
    this.statuses.clear();
    this.conditionalRequests = 0;
  }

  async start() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
    this.baseUrl = `http://127.0.0.1:${
      (this.server!.address() as AddressInfo).port
    }`;
  }

  async stop() {
    this.server?.closeAllConnections();
    await new Promise(resolve => this.server?.close(resolve));
  }

  private send(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(Math.max(0, this.limit - this.used)),
      'x-ratelimit-used': String(this.used),
      'x-ratelimit-reset': reset,
      'x-ratelimit-resource': 'core',
      ...headers,
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url!, this.baseUrl);
    this.requestsByPath.set(
      url.pathname,
      (this.requestsByPath.get(url.pathname) ?? 0) + 1,
    );
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      this.send(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
      });
      return;
    }
    if (this.secondaryLimit) {
      this.send(
        res,
        429,
        {
          message: 'You have exceeded a secondary rate limit.',
          documentation_url: 'https://docs.github.com/rest',
        },
        { 'retry-after': '60' },
      );
      return;
    }
    const tree = /^\/repos\/([^/]+)\/([^/]+)\/git\/trees\/([^/]+)$/.exec(
      url.pathname,
    );
    const blob = /^\/repos\/([^/]+)\/([^/]+)\/git\/blobs\/([0-9a-f]{40})$/.exec(
      url.pathname,
    );
    const repo =
      tree ?? blob
        ? this.repos.get(`${(tree ?? blob)![1]}/${(tree ?? blob)![2]}`)
        : undefined;
    if (!repo || (tree && tree[3] !== 'main')) {
      this.send(res, 404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
      });
      return;
    }
    let body: unknown;
    if (tree) {
      const entries = [...repo.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([p, content]) => ({
          path: p,
          mode: '100644',
          type: 'blob',
          sha: sha(content),
          size: Buffer.byteLength(content),
          url: `${this.baseUrl}${url.pathname.replace(
            /trees\/.*$/,
            `blobs/${sha(content)}`,
          )}`,
        }));
      const treeSha = sha(JSON.stringify(entries));
      body = {
        sha: treeSha,
        url: `${this.baseUrl}${url.pathname}`,
        tree: entries,
        truncated: false,
      };
    } else {
      const content = [...repo.values()].find(c => sha(c) === blob![3]);
      if (content === undefined) {
        this.send(res, 404, { message: 'Not Found' });
        return;
      }
      body = {
        sha: blob![3],
        node_id: 'B_stand-in',
        size: Buffer.byteLength(content),
        url: `${this.baseUrl}${url.pathname}`,
        // GitHub wraps base64 content at 60 characters.
        content: Buffer.from(content)
          .toString('base64')
          .replace(/(.{60})/g, '$1\n'),
        encoding: 'base64',
      };
    }
    const etag = `"${sha(JSON.stringify(body))}"`;
    if (req.headers['if-none-match'] === etag) {
      this.conditionalRequests += 1;
      this.send(res, 304, undefined, { etag });
      return;
    }
    if (req.headers['if-none-match']) this.conditionalRequests += 1;
    if (this.used >= this.limit) {
      this.send(res, 403, {
        message: 'API rate limit exceeded for installation.',
        documentation_url:
          'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
      });
      return;
    }
    this.used += 1;
    this.send(res, 200, body, { etag });
  }
}

/** The catalog keeps CatalogProcessorCache as JSON per location; so does this. */
class LocationCaches {
  private readonly stored = new Map<string, string>();
  for(target: string): CatalogProcessorCache {
    return {
      get: async (key: string) => {
        const text = this.stored.get(`${target}\0${key}`);
        return text === undefined ? undefined : JSON.parse(text);
      },
      set: async (key: string, value: unknown) => {
        this.stored.set(`${target}\0${key}`, JSON.stringify(value));
      },
    } as CatalogProcessorCache;
  }
}

function repositoryFiles(i: number): Repo {
  const files: Repo = new Map();
  const service = `svc-${i}`;
  files.set(
    'shuttle.yaml',
    `plan: git://github.com/lunarway/lw-shuttle-go-plan.git#v2\nvars:\n  service: ${service}\n  squad: squad${
      i % 7
    }\n${i % 5 === 0 ? '  db: true\n' : ''}`,
  );
  files.set('main.go', `package main // ${i}\n`);
  if (i % 4 === 0) {
    files.set(
      'api/openapi.yaml',
      `openapi: 3.0.0\ninfo: { title: ${service}, version: '1' }\npaths: {}\n`,
    );
  }
  if (i % 10 === 0) files.set('mkdocs.yml', `site_name: ${service}\n`);
  if (i === 3) files.set('catalog-info.yaml', 'apiVersion: v1\n');
  return files;
}

describe('ShuttleGithubProcessor on a stand-in GitHub with 1,000 repositories', () => {
  const github = new StandInGithub();
  const caches = new LocationCaches();
  let parses = 0;
  let processor: ShuttleGithubProcessor;
  const location = (i: number): LocationSpec => ({
    type: 'url',
    target: `https://github.com/lunarway/repo-${i}/blob/main/shuttle.yaml`,
  });

  beforeAll(async () => {
    await github.start();
    for (let i = 0; i < REPOSITORIES; i++) {
      github.repos.set(`lunarway/repo-${i}`, repositoryFiles(i));
    }
    const integrations = ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [
            { host: 'github.com', apiBaseUrl: github.baseUrl, token: TOKEN },
          ],
        },
      }),
    );
    const logger = mockServices.logger.mock();
    const shuttle = createShuttleLocationReader({
      config: readShuttleProcessorConfig(new ConfigReader({})),
      integrations,
      logger,
    });
    const counting: ShuttleLocationReader = {
      ...shuttle,
      parse: (...args) => {
        parses += 1;
        return shuttle.parse(...args);
      },
    };
    processor = new ShuttleGithubProcessor({
      shuttle: counting,
      integrations,
      logger,
    });
  });

  afterAll(() => github.stop());

  async function processOne(i: number) {
    const results: CatalogProcessorResult[] = [];
    const handled = await processor.readLocation(
      location(i),
      false,
      r => results.push(r),
      async function* unused() {
        throw new Error('the processor reads GitHub locations itself');
      },
      caches.for(location(i).target),
    );
    expect(handled).toBe(true);
    return results;
  }

  /** One refresh cycle over every repository, 16 at a time. */
  async function cycle() {
    const all: CatalogProcessorResult[][] = new Array(REPOSITORIES);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < REPOSITORIES) {
          const i = next++;
          all[i] = await processOne(i);
        }
      }),
    );
    return all;
  }

  const entityNames = (results: CatalogProcessorResult[]) =>
    results.flatMap(r =>
      r.type === 'entity' ? [`${r.entity.kind}:${r.entity.metadata.name}`] : [],
    );

  it('reads each repository with one tree request plus the files it uses, then only conditional requests answered 304', async () => {
    // First cycle: 1 tree + shuttle.yaml + openapi.yaml where there is one
    // (repo-3 stops at its catalog-info.yaml, which the tree shows).
    const openapiReads = Array.from(
      { length: REPOSITORIES },
      (_, i) => i % 4 === 0 && i !== 3,
    ).filter(Boolean).length;
    const first = await cycle();
    expect(github.requests).toBe(REPOSITORIES * 2 + openapiReads);
    expect(github.statuses.get(200)).toBe(github.requests);
    expect(github.conditionalRequests).toBe(0);
    expect(parses).toBe(REPOSITORIES);
    expect(first.every(r => r.every(x => x.type !== 'error'))).toBe(true);
    expect(entityNames(first[3])).toEqual([]);
    expect(entityNames(first[8])).toEqual([
      'Component:svc-8',
      'API:svc-8-http',
    ]);
    expect(entityNames(first[10])).toEqual([
      'Component:svc-10',
      'Resource:svc-10-db',
    ]);
    const component10 = first[10].find(r => r.type === 'entity') as any;
    expect(
      component10.entity.metadata.annotations['backstage.io/techdocs-ref'],
    ).toBe('dir:.');
    const usedAfterFirst = github.used;

    // Second cycle, nothing changed: one conditional request per repository,
    // every one answered 304, nothing parsed, same entities emitted.
    github.resetCounts();
    const second = await cycle();
    expect(github.requests).toBe(REPOSITORIES);
    expect(github.conditionalRequests).toBe(REPOSITORIES);
    expect(github.statuses.get(304)).toBe(REPOSITORIES);
    expect(
      [...github.requestsByPath.keys()].every(p => p.includes('/git/trees/')),
    ).toBe(true);
    expect(parses).toBe(REPOSITORIES);
    expect(github.used).toBe(usedAfterFirst);
    expect(second.map(entityNames)).toEqual(first.map(entityNames));
    expect(second[8].some(r => r.type === 'refresh')).toBe(true);
  });

  it('re-reads and re-parses only the repository that changed', async () => {
    github.repos
      .get('lunarway/repo-9')!
      .set(
        'openapi.yaml',
        'openapi: 3.0.0\ninfo: { title: x, version: "1" }\npaths: {}\n',
      );
    github.resetCounts();
    const before = parses;
    const all = await cycle();
    expect(parses).toBe(before + 1);
    // 999 answered 304; repo-9: the new tree, shuttle.yaml and openapi.yaml.
    expect(github.statuses.get(304)).toBe(REPOSITORIES - 1);
    expect(github.statuses.get(200)).toBe(3);
    expect(entityNames(all[9])).toEqual(['Component:svc-9', 'API:svc-9-http']);
  });

  it('reports a spent rate limit as GitHub states it and keeps the cache for after the reset', async () => {
    github.repos.get('lunarway/repo-11')!.set('mkdocs.yml', 'site_name: x\n');
    github.used = github.limit;
    github.resetCounts();
    const before = parses;
    const spent = await processOne(11);
    expect(github.statuses.get(403)).toBe(1);
    expect(spent).toEqual([
      expect.objectContaining({
        type: 'error',
        error: expect.objectContaining({
          message: expect.stringMatching(
            /^GitHub rate limit reached while reading https:\/\/github\.com\/lunarway\/repo-11\/blob\/main\/shuttle\.yaml \(resets at \d{4}-/,
          ),
        }),
      }),
    ]);
    // Unchanged repositories are still answered: 304s do not spend the limit.
    expect(entityNames(await processOne(13))).toEqual(['Component:svc-13']);
    expect(github.statuses.get(304)).toBe(1);
    expect(parses).toBe(before);

    github.used = 0;
    const after = await processOne(11);
    expect(parses).toBe(before + 1);
    const component = after.find(r => r.type === 'entity') as any;
    expect(
      component.entity.metadata.annotations['backstage.io/techdocs-ref'],
    ).toBe('dir:.');
  });

  it('reports a secondary rate limit (429, Retry-After) without touching the cache', async () => {
    github.secondaryLimit = true;
    try {
      const limited = await processOne(13);
      expect(limited).toEqual([
        expect.objectContaining({
          type: 'error',
          error: expect.objectContaining({
            message: expect.stringContaining('(retry after 60 s)'),
          }),
        }),
      ]);
    } finally {
      github.secondaryLimit = false;
    }
    github.resetCounts();
    expect(entityNames(await processOne(13))).toEqual(['Component:svc-13']);
    expect(github.statuses.get(304)).toBe(1);
  });

  it('a repository or ref that GitHub does not know is a not-found error', async () => {
    const results: CatalogProcessorResult[] = [];
    const target = 'https://github.com/lunarway/gone/blob/main/shuttle.yaml';
    await processor.readLocation(
      { type: 'url', target },
      false,
      r => results.push(r),
      async function* unused() {},
      caches.for(target),
    );
    expect(results).toEqual([
      expect.objectContaining({
        type: 'error',
        error: expect.objectContaining({
          name: 'NotFoundError',
          message: expect.stringContaining(
            'GitHub has no repository lunarway/gone',
          ),
        }),
      }),
    ]);
  });

  it('leaves file locations and other files to the catalog', async () => {
    for (const spec of [
      { type: 'file', target: '/repos/a/shuttle.yaml' },
      {
        type: 'url',
        target: 'https://github.com/lunarway/a/blob/main/catalog-info.yaml',
      },
      {
        type: 'url',
        target: 'https://gitlab.com/lunarway/a/-/blob/main/shuttle.yaml',
      },
    ]) {
      expect(
        await processor.readLocation(
          spec,
          false,
          () => {},
          async function* unused() {},
          caches.for(spec.target),
        ),
      ).toBe(false);
    }
  });
});
