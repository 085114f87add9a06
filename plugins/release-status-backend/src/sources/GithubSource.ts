import {
  DefaultGithubCredentialsProvider,
  GithubIntegration,
  ScmIntegrations,
} from '@backstage/integration';
import {
  GitCommit,
  GitFacts,
  GitSource,
  RepositoryRef,
  SourceError,
} from './types';

interface GithubCommit {
  sha: string;
  html_url?: string;
  commit: {
    message: string;
    author: { name: string; date: string } | null;
    committer: { name: string; date: string } | null;
  };
}

/** Answers kept for conditional requests (a few per repository). */
const MAX_ETAGS = 20_000;

/** A GitHub owner or repository name: no `.`/`..`, nothing but `[\w.-]`. */
const SLUG_PART = /^(?!\.\.?$)[\w.-]+$/;

/**
 * `owner/repo` from a github.com/project-slug annotation, or undefined when
 * it is not exactly two valid parts (the annotation comes from catalog
 * files, so `../..` or `lunarway/..` must not reach the API's paths).
 */
export function parseProjectSlug(
  slug: string | undefined,
): { owner: string; repo: string } | undefined {
  const parts = (slug ?? '').split('/');
  if (parts.length !== 2 || !parts.every(p => SLUG_PART.test(p))) {
    return undefined;
  }
  return { owner: parts[0], repo: parts[1] };
}

/**
 * Drift through GitHub's REST API (the GitHub integration's host, token and
 * API URL): the environment tag compared with the default branch by
 * `GET /repos/{slug}/compare/{env}...{branch}`. The branch is
 * `releaseStatus.git.defaultBranch` when configured, otherwise the
 * repository's own default branch.
 */
export class GithubSource implements GitSource {
  readonly kind = 'github';
  /**
   * Last answer per API path with its ETag: every request is conditional,
   * and GitHub does not count a 304 against the rate limit.
   */
  private readonly etags = new Map<string, { etag: string; body: unknown }>();

  static fromIntegrations(
    integrations: ScmIntegrations,
    host = 'github.com',
    defaultBranch?: string,
  ) {
    const integration = integrations.github.byHost(host);
    if (!integration) return undefined;
    return new GithubSource(
      integration,
      DefaultGithubCredentialsProvider.fromIntegrations(integrations),
      defaultBranch,
    );
  }

  constructor(
    private readonly integration: GithubIntegration,
    private readonly credentials: Pick<
      DefaultGithubCredentialsProvider,
      'getCredentials'
    >,
    /** Measure against this branch instead of each repository's default. */
    private readonly defaultBranch?: string,
  ) {}

  handles(repo: RepositoryRef): boolean {
    return parseProjectSlug(repo.projectSlug) !== undefined;
  }

  async version(
    repo: RepositoryRef,
    environments: string[],
  ): Promise<string | undefined> {
    const parsed = parseProjectSlug(repo.projectSlug);
    if (!parsed) return undefined;
    const slug = encodeSlug(parsed);
    const branch = await this.branchOf(slug);
    if (!branch) return undefined;
    // Both conditional: usually two 304s.
    const [head, tags] = await Promise.all([
      this.get<GithubCommit>(slug, `/commits/${encodeURIComponent(branch)}`),
      this.get<Array<{ ref: string; object: { sha: string } }>>(
        slug,
        '/git/matching-refs/tags/',
      ),
    ]);
    const wanted = new Set(environments.map(e => `refs/tags/${e}`));
    return JSON.stringify({
      branch,
      head: head?.sha ?? null,
      tags: (tags ?? [])
        .filter(t => wanted.has(t.ref))
        .map(t => [t.ref, t.object.sha])
        .sort(),
    });
  }

  async read(
    repo: RepositoryRef,
    environments: string[],
  ): Promise<GitFacts | undefined> {
    const parsed = parseProjectSlug(repo.projectSlug);
    if (!parsed) return undefined;
    const slug = encodeSlug(parsed);
    const branch = await this.branchOf(slug);
    if (!branch) return undefined;
    const headCommit = await this.get<GithubCommit>(
      slug,
      `/commits/${encodeURIComponent(branch)}`,
    );
    if (!headCommit) {
      if (!this.defaultBranch) return undefined;
      // The repository exists but not the configured branch: say so.
      throw new SourceError(
        `GitHub has no branch '${branch}' (releaseStatus.git.defaultBranch) in ${parsed.owner}/${parsed.repo}`,
        'error',
      );
    }
    const facts: GitFacts = {
      defaultBranch: branch,
      webUrl: `https://${this.integration.config.host}/${slug}`,
      head: toCommit(headCommit),
      environments: new Map(),
    };
    await Promise.all(
      environments.map(async environment => {
        // 404: no such tag, so the service is not released there.
        const compare = await this.get<{
          ahead_by: number;
          html_url: string;
          base_commit: GithubCommit;
          commits: GithubCommit[];
        }>(
          slug,
          // Commits come oldest first: one is enough, `ahead_by` counts all.
          `/compare/${encodeURIComponent(environment)}...${encodeURIComponent(
            branch,
          )}?per_page=1`,
        );
        if (!compare) return;
        const oldest = compare.commits[0];
        facts.environments.set(environment, {
          commit: toCommit(compare.base_commit),
          drift: {
            commitsBehind: compare.ahead_by,
            oldestUnreleasedAt:
              compare.ahead_by && oldest ? dateOf(oldest) : null,
            compareUrl: compare.ahead_by ? compare.html_url : undefined,
          },
        });
      }),
    );
    return facts;
  }

  /**
   * The configured branch, or the repository's default; undefined when
   * there is no such repository.
   */
  private async branchOf(slug: string): Promise<string | undefined> {
    const meta = await this.get<{ default_branch: string }>(slug, '');
    if (!meta) return undefined;
    return this.defaultBranch ?? meta.default_branch;
  }

  /** GET `/repos/{slug}{suffix}` (`slug` encoded) from the API; undefined on 404. */
  private async get<T>(slug: string, suffix: string): Promise<T | undefined> {
    const apiPath = `/repos/${slug}${suffix}`;
    const url = `${this.integration.config.apiBaseUrl}${apiPath}`;
    const { headers } = await this.credentials.getCredentials({
      url: `https://${this.integration.config.host}/${slug}`,
    });
    const cached = this.etags.get(apiPath);
    const response = await fetch(url, {
      signal: AbortSignal.timeout(10_000),
      headers: {
        Accept: 'application/vnd.github+json',
        'X-GitHub-Api-Version': '2022-11-28',
        ...headers,
        ...(cached && { 'If-None-Match': cached.etag }),
      },
    });
    if (response.status === 304 && cached) return cached.body as T;
    if (response.status === 404) {
      this.etags.delete(apiPath);
      return undefined;
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as {
        message?: string;
      };
      throw new SourceError(
        `GitHub answered ${response.status} for ${apiPath}${
          body.message ? `: ${body.message}` : ''
        }`,
        response.status >= 500 ? 'unreachable' : 'error',
      );
    }
    const body = (await response.json()) as T;
    const etag = response.headers.get('etag');
    if (etag) {
      // Oldest first out: a bound on memory, not an LRU.
      if (this.etags.size >= MAX_ETAGS) {
        this.etags.delete(this.etags.keys().next().value!);
      }
      this.etags.set(apiPath, { etag, body });
    }
    return body;
  }
}

/** Each part encoded: the slug is only ever one owner and one repository. */
function encodeSlug(parsed: { owner: string; repo: string }): string {
  return `${encodeURIComponent(parsed.owner)}/${encodeURIComponent(
    parsed.repo,
  )}`;
}

function dateOf(c: GithubCommit): string {
  const date = c.commit.committer?.date ?? c.commit.author?.date;
  return date ? new Date(date).toISOString() : new Date(0).toISOString();
}

function toCommit(c: GithubCommit): GitCommit {
  return {
    sha: c.sha,
    author: c.commit.author?.name ?? '',
    message: c.commit.message.split('\n')[0],
    committedAt: dateOf(c),
    url: c.html_url ?? null,
  };
}
