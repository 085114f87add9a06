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

/**
 * Drift through GitHub's REST API (the GitHub integration's host, token and
 * API URL): the environment tag compared with the default branch by
 * `GET /repos/{slug}/compare/{env}...{branch}`.
 */
export class GithubSource implements GitSource {
  readonly kind = 'github';

  static fromIntegrations(integrations: ScmIntegrations, host = 'github.com') {
    const integration = integrations.github.byHost(host);
    if (!integration) return undefined;
    return new GithubSource(
      integration,
      DefaultGithubCredentialsProvider.fromIntegrations(integrations),
    );
  }

  constructor(
    private readonly integration: GithubIntegration,
    private readonly credentials: Pick<
      DefaultGithubCredentialsProvider,
      'getCredentials'
    >,
  ) {}

  handles(repo: RepositoryRef): boolean {
    return /^[\w.-]+\/[\w.-]+$/.test(repo.projectSlug ?? '');
  }

  async read(
    repo: RepositoryRef,
    environments: string[],
  ): Promise<GitFacts | undefined> {
    const slug = repo.projectSlug!;
    const meta = await this.get<{ default_branch: string }>(slug, '');
    if (!meta) return undefined;
    const branch = meta.default_branch;
    const headCommit = await this.get<GithubCommit>(
      slug,
      `/commits/${encodeURIComponent(branch)}`,
    );
    if (!headCommit) return undefined;
    const facts: GitFacts = {
      defaultBranch: branch,
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

  /** GET `/repos/{slug}{suffix}` from the API; undefined on 404. */
  private async get<T>(slug: string, suffix: string): Promise<T | undefined> {
    const apiPath = `/repos/${slug}${suffix}`;
    const url = `${this.integration.config.apiBaseUrl}${apiPath}`;
    const { headers } = await this.credentials.getCredentials({
      url: `https://${this.integration.config.host}/${slug}`,
    });
    const response = await fetch(url, {
      signal: AbortSignal.timeout(10_000),
      headers: {
        Accept: 'application/vnd.github+json',
        'X-GitHub-Api-Version': '2022-11-28',
        ...headers,
      },
    });
    if (response.status === 404) return undefined;
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
    return (await response.json()) as T;
  }
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
