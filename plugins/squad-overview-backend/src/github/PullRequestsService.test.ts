import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { CacheService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { PullRequestsService, graphqlUrl } from './PullRequestsService';
import pullRequests from '../__fixtures__/github/pull-requests.json';
import badCredentials from '../__fixtures__/github/bad-credentials.json';

const NASA = 'group:default/squad-nasa';

function component(name: string, slug?: string, owner = NASA): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: slug ? { 'github.com/project-slug': slug } : {},
    },
    spec: { type: 'service', owner },
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
}

/** A stand-in for GitHub's GraphQL endpoint, recording what it was asked. */
async function startGithub(answer: { status: number; body: unknown }) {
  const requests: Array<{ url: string; auth?: string; body: any }> = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', c => (text += c));
    req.on('end', () => {
      requests.push({
        url: req.url!,
        auth: req.headers.authorization,
        body: JSON.parse(text),
      });
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    apiBaseUrl: `http://127.0.0.1:${port}/api/v3`,
    requests,
    close: () => new Promise(r => server.close(r)),
  };
}

/** An in-memory cache, so caching itself is exercised. */
function memoryCache(): CacheService {
  const values = new Map<string, unknown>();
  const cache = {
    get: async (key: string) => values.get(key),
    set: async (key: string, value: unknown) => {
      values.set(key, value);
    },
    delete: async (key: string) => {
      values.delete(key);
    },
    withOptions: () => cache,
  };
  return cache as unknown as CacheService;
}

function service(
  apiBaseUrl: string | undefined,
  entities: Entity[],
  cache: CacheService = mockServices.cache.mock(),
) {
  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader({
      integrations: apiBaseUrl
        ? {
            github: [{ host: 'github.com', apiBaseUrl, token: 'secret-token' }],
          }
        : {},
    }),
  );
  return PullRequestsService.fromConfig({
    integrations,
    configured: !!apiBaseUrl,
    githubHost: 'github.com',
    catalog: catalogServiceMock({ entities }),
    cache,
    cacheSeconds: 300,
    perRepository: 20,
  });
}

const squadEntities = [
  component('authentication', 'lunarway/authentication'),
  component('authentication-worker', 'lunarway/authentication'),
  component('old', 'lunarway/deleted-repo'),
  component('dead-letter', 'lunarway/dead-letter'),
  component('no-repo'),
  component(
    'card-clearing',
    'lunarway/card-clearing',
    'group:default/squad-gemini',
  ),
];

describe('PullRequestsService', () => {
  it("asks GitHub once for all the squad's repositories and lists open PRs newest first", async () => {
    const github = await startGithub({ status: 200, body: pullRequests });
    try {
      const result = await service(github.apiBaseUrl, squadEntities).forOwner(
        NASA,
        mockCredentials.user(),
      );
      expect(github.requests).toHaveLength(1);
      const [request] = github.requests;
      expect(request.url).toBe('/api/graphql');
      expect(request.auth).toBe('Bearer secret-token');
      // Three distinct repositories of squad-nasa, in alias order.
      expect(request.body.variables).toEqual({
        first: 20,
        o0: 'lunarway',
        n0: 'authentication',
        o1: 'lunarway',
        n1: 'dead-letter',
        o2: 'lunarway',
        n2: 'deleted-repo',
      });
      expect(request.body.query).toContain(
        'r0: repository(owner: $o0, name: $n0)',
      );
      expect(result.state).toBe('ok');
      expect(result.repositories).toBe(3);
      // r2 in the recorded answer is null: that alias's repository is missing.
      expect(result.missing).toEqual(['lunarway/deleted-repo']);
      expect(
        result.items.map(p => [p.repository, p.number, p.author, p.draft]),
      ).toEqual([
        ['lunarway/authentication', 412, 'ada', false],
        ['lunarway/dead-letter', 77, 'dependabot', false],
        ['lunarway/authentication', 409, null, true],
      ]);
      expect(result.items[0].entityRefs).toEqual([
        'component:default/authentication',
        'component:default/authentication-worker',
      ]);
    } finally {
      await github.close();
    }
  });

  it("caches GitHub's answer per set of repositories, with each squad's own components", async () => {
    const github = await startGithub({
      status: 200,
      body: {
        data: {
          r0: {
            nameWithOwner: 'lunarway/authentication',
            pullRequests: {
              nodes: [pullRequests.data.r0.pullRequests.nodes[0]],
            },
          },
        },
      },
    });
    try {
      // Two squads with a component each in the same repository.
      const shared = service(
        github.apiBaseUrl,
        [
          component('authentication', 'lunarway/authentication'),
          component(
            'authentication-worker',
            'lunarway/authentication',
            'group:default/squad-gemini',
          ),
        ],
        memoryCache(),
      );
      const nasa = await shared.forOwner(NASA, mockCredentials.user());
      const gemini = await shared.forOwner(
        'group:default/squad-gemini',
        mockCredentials.user(),
      );
      expect(github.requests).toHaveLength(1);
      expect(nasa.items[0].entityRefs).toEqual([
        'component:default/authentication',
      ]);
      expect(gemini.items[0].entityRefs).toEqual([
        'component:default/authentication-worker',
      ]);
      expect(gemini.items[0].number).toBe(412);
    } finally {
      await github.close();
    }
  });

  it('says GitHub refused, with its reason, instead of showing nothing', async () => {
    const github = await startGithub({ status: 401, body: badCredentials });
    try {
      const result = await service(github.apiBaseUrl, squadEntities).forOwner(
        NASA,
        mockCredentials.user(),
      );
      expect(result).toMatchObject({
        state: 'error',
        message: 'GitHub answered 401: Bad credentials',
        items: [],
      });
    } finally {
      await github.close();
    }
  });

  it('fails on GraphQL errors other than a missing repository', async () => {
    const github = await startGithub({
      status: 200,
      body: {
        data: null,
        errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded' }],
      },
    });
    try {
      const result = await service(github.apiBaseUrl, squadEntities).forOwner(
        NASA,
        mockCredentials.user(),
      );
      expect(result.state).toBe('error');
      expect(result.message).toMatch(/API rate limit exceeded/);
    } finally {
      await github.close();
    }
  });

  it('says GitHub cannot be reached, and where', async () => {
    const github = await startGithub({ status: 200, body: pullRequests });
    await github.close();
    const result = await service(github.apiBaseUrl, squadEntities).forOwner(
      NASA,
      mockCredentials.user(),
    );
    expect(result.state).toBe('error');
    expect(result.message).toMatch(
      /^GitHub could not be reached at http:\/\/127\.0\.0\.1:\d+\/api\/graphql: fetch failed \(ECONNREFUSED\)$/,
    );
  });

  it('says how to configure GitHub when there is no integration, token or repository', async () => {
    const none = await service(undefined, squadEntities).forOwner(
      NASA,
      mockCredentials.user(),
    );
    expect(none.state).toBe('not-configured');
    expect(none.message).toMatch(/add integrations\.github/);

    const anonymous = PullRequestsService.fromConfig({
      integrations: ScmIntegrations.fromConfig(
        new ConfigReader({
          integrations: { github: [{ host: 'github.com' }] },
        }),
      ),
      configured: true,
      githubHost: 'github.com',
      catalog: catalogServiceMock({ entities: squadEntities }),
      cache: mockServices.cache.mock(),
      cacheSeconds: 300,
      perRepository: 20,
    });
    const noToken = await anonymous.forOwner(NASA, mockCredentials.user());
    expect(noToken.state).toBe('not-configured');
    expect(noToken.message).toMatch(/has no token/);

    const github = await startGithub({ status: 200, body: pullRequests });
    try {
      const noRepos = await service(github.apiBaseUrl, [
        component('no-repo'),
      ]).forOwner(NASA, mockCredentials.user());
      expect(noRepos.state).toBe('not-configured');
      expect(noRepos.message).toMatch(/github\.com\/project-slug/);
      expect(github.requests).toHaveLength(0);
    } finally {
      await github.close();
    }
  });

  it('finds the GraphQL endpoint of github.com and of GitHub Enterprise', () => {
    expect(graphqlUrl('https://api.github.com')).toBe(
      'https://api.github.com/graphql',
    );
    expect(graphqlUrl('https://ghe.example/api/v3')).toBe(
      'https://ghe.example/api/graphql',
    );
    expect(graphqlUrl('https://ghe.example/api/v3/')).toBe(
      'https://ghe.example/api/graphql',
    );
  });
});
