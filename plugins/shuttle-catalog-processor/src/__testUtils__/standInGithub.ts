import { createHash } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';

export const STAND_IN_TOKEN = 'stand-in-token';

export type Repo = Map<string, string>;

const sha = (text: string) => createHash('sha1').update(text).digest('hex');

/**
 * A stand-in for GitHub's REST API over real HTTP, with the endpoints the
 * processor uses (git trees, git blobs) in GitHub's response shapes: ETags,
 * `If-None-Match` answered 304 (not counted against the rate limit, as on
 * GitHub), x-ratelimit-* headers, 403 when the limit is spent and 429 with
 * Retry-After for a secondary limit.
 */
export class StandInGithub {
  /** `owner/repo` to the files of its default branch, `main`. */
  readonly repos = new Map<string, Repo>();
  /**
   * `owner/repo` to its other branches and tags, by full name
   * (`heads/feature/x`, `tags/v1`), each to its files.
   */
  readonly refs = new Map<string, Map<string, Repo>>();
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
    if (req.headers.authorization !== `Bearer ${STAND_IN_TOKEN}`) {
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
    const tree = /^\/repos\/([^/]+)\/([^/]+)\/git\/trees\/(.+)$/.exec(
      url.pathname,
    );
    const blob = /^\/repos\/([^/]+)\/([^/]+)\/git\/blobs\/([0-9a-f]{40})$/.exec(
      url.pathname,
    );
    const matching =
      /^\/repos\/([^/]+)\/([^/]+)\/git\/matching-refs\/(heads|tags)\/(.*)$/.exec(
        url.pathname,
      );
    const match = tree ?? blob ?? matching;
    const key = match ? `${match[1]}/${match[2]}` : '';
    // Every ref of the repository by full name, as git names them.
    const refs = new Map<string, Repo>(this.refs.get(key) ?? []);
    if (this.repos.has(key)) refs.set('heads/main', this.repos.get(key)!);
    // GitHub takes a ref with '/' in a tree URL encoded (feature%2Fx).
    const treeRef = tree ? decodeURIComponent(tree[3]) : '';
    const repo = tree
      ? refs.get(`heads/${treeRef}`) ?? refs.get(`tags/${treeRef}`)
      : undefined;
    if (!match || refs.size === 0 || (tree && !repo)) {
      this.send(res, 404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
      });
      return;
    }
    let body: unknown;
    if (matching) {
      // Every ref whose name starts with the prefix, as GitHub lists them.
      const prefix = `${matching[3]}/${decodeURIComponent(matching[4])}`;
      body = [...refs.keys()]
        .filter(name => name.startsWith(prefix))
        .sort()
        .map(name => ({
          ref: `refs/${name}`,
          node_id: 'REF_stand-in',
          url: `${this.baseUrl}/repos/${key}/git/refs/${name}`,
          object: {
            sha: sha(JSON.stringify([...refs.get(name)!])),
            type: 'commit',
            url: `${this.baseUrl}/repos/${key}/git/commits/stand-in`,
          },
        }));
    } else if (tree) {
      const entries = [...repo!.entries()]
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
      const content = [...refs.values()]
        .flatMap(files => [...files.values()])
        .find(c => sha(c) === blob![3]);
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

/** A Go service repository; every 4th has an OpenAPI file, every 10th docs, repo 3 a catalog-info.yaml. */
export function repositoryFiles(i: number): Repo {
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
