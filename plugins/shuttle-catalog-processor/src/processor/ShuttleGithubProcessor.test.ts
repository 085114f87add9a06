import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { mockServices } from '@backstage/backend-test-utils';
import {
  CatalogProcessorCache,
  CatalogProcessorResult,
  LocationSpec,
} from '@backstage/plugin-catalog-node';
import { readShuttleProcessorConfig } from '@internal/plugin-shuttle-node';
import {
  ShuttleLocationReader,
  createShuttleLocationReader,
} from '../parser/createShuttleParser';
import {
  ShuttleGithubProcessor,
  parseGithubBlobUrl,
} from './ShuttleGithubProcessor';
import {
  STAND_IN_TOKEN,
  repositoryFiles,
  StandInGithub,
} from '../__testUtils__/standInGithub';

// Two cycles over 1,000 repositories take a few seconds, more on a busy machine.
jest.setTimeout(60_000);

const REPOSITORIES = 1000;

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
            {
              host: 'github.com',
              apiBaseUrl: github.baseUrl,
              token: STAND_IN_TOKEN,
            },
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

  describe('refs containing /', () => {
    const shuttleYaml = (service: string) =>
      `plan: false\nvars:\n  service: ${service}\n  squad: nasa\n`;
    async function processTarget(target: string) {
      const results: CatalogProcessorResult[] = [];
      const handled = await processor.readLocation(
        { type: 'url', target },
        false,
        r => results.push(r),
        async function* unused() {
          throw new Error('the processor reads GitHub locations itself');
        },
        caches.for(target),
      );
      expect(handled).toBe(true);
      return results;
    }
    const treesRead = () =>
      [...github.requestsByPath.keys()]
        .filter(p => p.includes('/git/trees/'))
        .map(p => decodeURIComponent(p.replace(/^.*\/git\/trees\//, '')));

    it('only a URL with one segment before the file name names its ref', () => {
      expect(
        parseGithubBlobUrl('https://github.com/o/r/blob/main/shuttle.yaml'),
      ).toEqual({
        owner: 'o',
        repo: 'r',
        segments: ['main', 'shuttle.yaml'],
        ref: 'main',
        filePath: 'shuttle.yaml',
      });
      const sha = '0123456789abcdef0123456789abcdef01234567';
      expect(
        parseGithubBlobUrl(`https://github.com/o/r/blob/${sha}/x/shuttle.yaml`),
      ).toMatchObject({ ref: sha, filePath: 'x/shuttle.yaml' });
      const ambiguous = parseGithubBlobUrl(
        'https://github.com/o/r/blob/feature/x/shuttle.yaml',
      );
      expect(ambiguous).toEqual({
        owner: 'o',
        repo: 'r',
        segments: ['feature', 'x', 'shuttle.yaml'],
      });
    });

    it('reads the branch feature/x rather than a ref feature, and then costs one 304', async () => {
      github.repos.set(
        'lunarway/slashed',
        new Map([['shuttle.yaml', shuttleYaml('on-main')]]),
      );
      github.refs.set(
        'lunarway/slashed',
        new Map([
          [
            'heads/feature/x',
            new Map([['shuttle.yaml', shuttleYaml('on-feature-x')]]),
          ],
          [
            'heads/featured',
            new Map([['x/shuttle.yaml', shuttleYaml('on-featured')]]),
          ],
        ]),
      );
      const target =
        'https://github.com/lunarway/slashed/blob/feature/x/shuttle.yaml';
      github.resetCounts();
      expect(entityNames(await processTarget(target))).toEqual([
        'Component:on-feature-x',
      ]);
      expect(treesRead()).toEqual(['feature/x']);
      // Branches and tags starting with 'feature', the tree, shuttle.yaml.
      expect(github.requests).toBe(4);

      github.resetCounts();
      expect(entityNames(await processTarget(target))).toEqual([
        'Component:on-feature-x',
      ]);
      expect(github.requests).toBe(1);
      expect(github.statuses.get(304)).toBe(1);
    });

    it('reads the branch feature with x/shuttle.yaml when that is the ref that exists, also after feature/x is gone', async () => {
      github.refs.set(
        'lunarway/mono',
        new Map([
          [
            'heads/feature',
            new Map([['x/shuttle.yaml', shuttleYaml('mono-x')]]),
          ],
        ]),
      );
      github.resetCounts();
      expect(
        entityNames(
          await processTarget(
            'https://github.com/lunarway/mono/blob/feature/x/shuttle.yaml',
          ),
        ),
      ).toEqual(['Component:mono-x']);
      expect(treesRead()).toEqual(['feature']);

      // The branch the location was resolved to is deleted and a branch
      // 'feature' takes its place: resolved again, not a stale not-found.
      const slashed = github.refs.get('lunarway/slashed')!;
      slashed.delete('heads/feature/x');
      slashed.set(
        'heads/feature',
        new Map([['x/shuttle.yaml', shuttleYaml('slashed-x')]]),
      );
      github.resetCounts();
      expect(
        entityNames(
          await processTarget(
            'https://github.com/lunarway/slashed/blob/feature/x/shuttle.yaml',
          ),
        ),
      ).toEqual(['Component:slashed-x']);
      expect(treesRead()).toEqual(['feature/x', 'feature']);
    });

    it('does not guess when a tag feature and a branch feature/x both exist', async () => {
      github.refs.set(
        'lunarway/both',
        new Map([
          ['tags/feature', new Map([['x/shuttle.yaml', shuttleYaml('wrong')]])],
          [
            'heads/feature/x',
            new Map([['shuttle.yaml', shuttleYaml('right')]]),
          ],
        ]),
      );
      github.resetCounts();
      const results = await processTarget(
        'https://github.com/lunarway/both/blob/feature/x/shuttle.yaml',
      );
      expect(entityNames(results)).toEqual([]);
      expect(results).toEqual([
        expect.objectContaining({
          type: 'error',
          error: expect.objectContaining({
            message: expect.stringContaining(
              "its ref is ambiguous, 'feature' (file x/shuttle.yaml) and 'feature/x' (file shuttle.yaml) are all branches or tags of lunarway/both",
            ),
          }),
        }),
      ]);
      expect(treesRead()).toEqual([]);
    });

    it('names the refs it looked for when none exists', async () => {
      const results = await processTarget(
        'https://github.com/lunarway/mono/blob/nope/x/shuttle.yaml',
      );
      expect(results).toEqual([
        expect.objectContaining({
          type: 'error',
          error: expect.objectContaining({
            name: 'NotFoundError',
            message: expect.stringContaining(
              "no branch or tag of lunarway/mono is named 'nope' or 'nope/x'",
            ),
          }),
        }),
      ]);
    });
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
