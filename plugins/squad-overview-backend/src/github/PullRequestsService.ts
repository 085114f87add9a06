import crypto from 'node:crypto';
import {
  BackstageCredentials,
  CacheService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  DefaultGithubCredentialsProvider,
  GithubIntegration,
  ScmIntegrations,
} from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  PullRequest,
  PullRequestsResponse,
} from '@internal/plugin-squad-overview-common';
import { nameOf, refOf } from '../names';

const PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';
/** Repositories per GraphQL request (one alias each). */
const BATCH = 25;

interface GraphqlPullRequest {
  number: number;
  title: string;
  url: string;
  isDraft: boolean;
  updatedAt: string;
  author: { login: string } | null;
}

interface GraphqlResponse {
  data?: Record<
    string,
    {
      nameWithOwner: string;
      pullRequests: { nodes: GraphqlPullRequest[] };
    } | null
  > | null;
  errors?: Array<{ type?: string; path?: string[]; message: string }>;
  message?: string;
}

const QUERY_FIELDS = `nameWithOwner
    pullRequests(states: OPEN, first: $first, orderBy: { field: UPDATED_AT, direction: DESC }) {
      nodes { number title url isDraft updatedAt author { login } }
    }`;

/** GraphQL endpoint of a GitHub API base URL (github.com or Enterprise). */
export function graphqlUrl(apiBaseUrl: string): string {
  const base = apiBaseUrl.replace(/\/+$/, '');
  return base.endsWith('/api/v3')
    ? base.replace(/\/v3$/, '/graphql')
    : `${base}/graphql`;
}

/**
 * Open pull requests across a squad's repositories: the
 * `github.com/project-slug` of every component it owns, read from GitHub's
 * GraphQL API in batches of 25 repositories (one request per batch, not
 * per repository) and cached per squad.
 */
export class PullRequestsService {
  static fromConfig(options: {
    integrations: ScmIntegrations;
    githubHost: string;
    catalog: CatalogService;
    cache: CacheService;
    cacheSeconds: number;
    perRepository: number;
    /** Whether integrations.github is configured on purpose. */
    configured: boolean;
  }) {
    const integration = options.configured
      ? options.integrations.github.byHost(options.githubHost)
      : undefined;
    return new PullRequestsService({
      ...options,
      integration,
      credentials: DefaultGithubCredentialsProvider.fromIntegrations(
        options.integrations,
      ),
    });
  }

  constructor(
    private readonly options: {
      integration: GithubIntegration | undefined;
      githubHost: string;
      credentials: Pick<DefaultGithubCredentialsProvider, 'getCredentials'>;
      catalog: CatalogService;
      cache: CacheService;
      cacheSeconds: number;
      perRepository: number;
    },
  ) {}

  async forOwner(
    owner: string,
    credentials: BackstageCredentials,
  ): Promise<PullRequestsResponse> {
    const { integration, githubHost } = this.options;
    const empty = { items: [], repositories: 0, missing: [] };
    if (!integration) {
      return {
        ...empty,
        state: 'not-configured',
        message: `No GitHub integration for ${githubHost}: add integrations.github with a token (or a GitHub App) to app-config to see open pull requests.`,
      };
    }
    // GitHub's GraphQL API answers no anonymous request.
    if (!integration.config.token && !integration.config.apps?.length) {
      return {
        ...empty,
        state: 'not-configured',
        message: `The GitHub integration for ${githubHost} has no token: set its token (GITHUB_TOKEN in app-config.yaml) or a GitHub App to see open pull requests.`,
      };
    }
    const { items: entities } = await this.options.catalog.getEntities(
      {
        filter: {
          kind: 'component',
          'relations.ownedBy': owner,
          [`metadata.annotations.${PROJECT_SLUG_ANNOTATION}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          `metadata.annotations.${PROJECT_SLUG_ANNOTATION}`,
        ],
      },
      { credentials },
    );
    const repos = new Map<string, string[]>();
    for (const entity of entities) {
      const slug = entity.metadata.annotations?.[PROJECT_SLUG_ANNOTATION];
      if (!slug || !/^[\w.-]+\/[\w.-]+$/.test(slug)) continue;
      const key = slug.toLocaleLowerCase('en-US');
      repos.set(key, [...(repos.get(key) ?? []), refOf(entity)]);
    }
    if (!repos.size) {
      return {
        ...empty,
        state: 'not-configured',
        message: `None of ${nameOf(
          owner,
        )}'s components has a ${PROJECT_SLUG_ANNOTATION} annotation, so there are no repositories to ask GitHub about.`,
      };
    }

    const slugs = [...repos.keys()].sort();
    const key = `pull-requests:${crypto
      .createHash('sha256')
      .update(`${githubHost}\0${slugs.join('\0')}`)
      .digest('hex')}`;
    // GitHub's answer is cached per set of repositories; which of the
    // caller's components live in each is added after, per request.
    let response = (await this.options.cache.get(key)) as
      | PullRequestsResponse
      | undefined;
    if (!response) {
      response = await this.fetchAll(integration, slugs);
      if (response.state === 'ok') {
        await this.options.cache.set(key, response as any, {
          ttl: this.options.cacheSeconds * 1000,
        });
      }
    }
    return {
      ...response,
      items: response.items.map(pr => ({
        ...pr,
        entityRefs: repos.get(pr.repository.toLocaleLowerCase('en-US')) ?? [],
      })),
    };
  }

  private async fetchAll(
    integration: GithubIntegration,
    slugs: string[],
  ): Promise<PullRequestsResponse> {
    // Credentials can differ per organisation (GitHub Apps): batch per org.
    const byOrg = new Map<string, string[]>();
    for (const slug of slugs) {
      const org = slug.split('/')[0];
      byOrg.set(org, [...(byOrg.get(org) ?? []), slug]);
    }
    const batches: string[][] = [];
    for (const list of byOrg.values()) {
      for (let i = 0; i < list.length; i += BATCH) {
        batches.push(list.slice(i, i + BATCH));
      }
    }
    const items: PullRequest[] = [];
    const missing: string[] = [];
    try {
      const results = await Promise.all(
        batches.map(batch => this.query(integration, batch)),
      );
      results.forEach((data, b) =>
        batches[b].forEach((slug, i) => {
          const repo = data[`r${i}`];
          if (!repo) {
            missing.push(slug);
            return;
          }
          for (const pr of repo.pullRequests.nodes) {
            items.push({
              repository: repo.nameWithOwner,
              number: pr.number,
              title: pr.title,
              url: pr.url,
              author: pr.author?.login ?? null,
              draft: pr.isDraft,
              updatedAt: new Date(pr.updatedAt).toISOString(),
              entityRefs: [],
            });
          }
        }),
      );
    } catch (e) {
      return {
        state: 'error',
        message: (e as Error).message,
        items: [],
        repositories: slugs.length,
        missing: [],
      };
    }
    items.sort(
      (a, b) =>
        b.updatedAt.localeCompare(a.updatedAt) ||
        a.repository.localeCompare(b.repository) ||
        b.number - a.number,
    );
    return { state: 'ok', items, repositories: slugs.length, missing };
  }

  private async query(integration: GithubIntegration, slugs: string[]) {
    const variables: Record<string, string | number> = {
      first: this.options.perRepository,
    };
    const declarations = ['$first: Int!'];
    const fields = slugs.map((slug, i) => {
      const [owner, name] = slug.split('/');
      variables[`o${i}`] = owner;
      variables[`n${i}`] = name;
      declarations.push(`$o${i}: String!`, `$n${i}: String!`);
      return `r${i}: repository(owner: $o${i}, name: $n${i}) {\n    ${QUERY_FIELDS}\n  }`;
    });
    const query = `query(${declarations.join(', ')}) {\n  ${fields.join(
      '\n  ',
    )}\n}`;
    const { headers } = await this.options.credentials.getCredentials({
      url: `https://${integration.config.host}/${slugs[0]}`,
    });
    if (!integration.config.apiBaseUrl) {
      throw new Error(
        `The GitHub integration for ${integration.config.host} has no apiBaseUrl: set it (e.g. https://${integration.config.host}/api/v3)`,
      );
    }
    const url = graphqlUrl(integration.config.apiBaseUrl);
    const response = await fetch(url, {
      method: 'POST',
      signal: AbortSignal.timeout(15_000),
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    }).catch(e => {
      const cause = (e as { cause?: { code?: string; message?: string } })
        .cause;
      throw new Error(
        `GitHub could not be reached at ${url}: ${(e as Error).message}${
          cause ? ` (${cause.code ?? cause.message})` : ''
        }`,
      );
    });
    const body = (await response.json().catch(() => ({}))) as GraphqlResponse;
    if (!response.ok) {
      throw new Error(
        `GitHub answered ${response.status}${
          body.message ? `: ${body.message}` : ''
        }`,
      );
    }
    // NOT_FOUND for a repository is an answer (it is missing); any other
    // error, or no data at all, is a failure.
    const other = body.errors?.filter(e => e.type !== 'NOT_FOUND') ?? [];
    if (!body.data || other.length) {
      throw new Error(
        `GitHub's GraphQL API failed: ${
          other.map(e => e.message).join('; ') || 'no data'
        }`,
      );
    }
    return body.data;
  }
}
