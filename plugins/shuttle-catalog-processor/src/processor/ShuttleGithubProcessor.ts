import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import {
  CatalogProcessor,
  CatalogProcessorCache,
  CatalogProcessorEmit,
  LocationSpec,
  processingResult,
} from '@backstage/plugin-catalog-node';
import path from 'node:path';
import {
  ShuttleLocationReader,
  ShuttleParseOutcome,
  SiblingReader,
} from '../parser/createShuttleParser';

/** What is kept per location between processings. */
type CacheItem = {
  /** The ETag of the repository's tree as GitHub last answered it. */
  etag: string;
  outcome: ShuttleParseOutcome;
};

const CACHE_KEY = 'shuttle-github-tree-v1';

type TreeEntry = { path: string; type: string; sha: string };

/** A GitHub answer that is neither OK nor "not modified". */
export class GithubRequestError extends Error {
  name = 'GithubRequestError';
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/** `https://github.com/<owner>/<repo>/blob/<ref>/<path>`, as discovery registers it. */
export function parseGithubBlobUrl(
  target: string,
): { owner: string; repo: string; ref: string; filePath: string } | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  const match = /^\/([^/]+)\/([^/]+)\/(?:blob|tree)\/([^/]+)\/(.+)$/.exec(
    url.pathname,
  );
  if (!match) return undefined;
  const [, owner, repo, ref, filePath] = match.map(decodeURIComponent);
  return { owner, repo, ref, filePath };
}

/**
 * Reads shuttle.yaml and plan.yaml url locations on GitHub with one
 * conditional request per repository and processing: the repository's tree
 * (`GET /repos/{owner}/{repo}/git/trees/{ref}?recursive=1` with
 * `If-None-Match`). The tree answers which sibling files exist, so missing
 * files cost nothing; only files whose content is used are read (as blobs,
 * pinned to the tree). The parse outcome and the tree's ETag are kept in the
 * `CatalogProcessorCache`; when GitHub answers 304 the cached outcome is
 * re-emitted without reading or parsing anything. The checks against the
 * catalog (conflicts, unknown owners) are re-run every time, since the
 * catalog changes without the repository changing.
 *
 * Runs before the catalog's UrlReaderProcessor (priority 10 < 20). Other
 * locations (file, non-GitHub, other file names, truncated trees) are left to
 * the catalog's own readers and the shuttle parser, as before.
 */
export class ShuttleGithubProcessor implements CatalogProcessor {
  private readonly credentials: GithubCredentialsProvider;

  constructor(
    private readonly options: {
      shuttle: ShuttleLocationReader;
      integrations: ScmIntegrationRegistry;
      logger: LoggerService;
      credentialsProvider?: GithubCredentialsProvider;
      fetch?: typeof fetch;
    },
  ) {
    this.credentials =
      options.credentialsProvider ??
      DefaultGithubCredentialsProvider.fromIntegrations(options.integrations);
  }

  getProcessorName() {
    return 'ShuttleGithubProcessor';
  }

  getPriority() {
    return 10;
  }

  async readLocation(
    location: LocationSpec,
    optional: boolean,
    emit: CatalogProcessorEmit,
    _parser: unknown,
    cache: CatalogProcessorCache,
  ): Promise<boolean> {
    const { shuttle, integrations } = this.options;
    if (location.type !== 'url' || !shuttle.matches(location)) return false;
    const integration = integrations.github.byUrl(location.target);
    const parts = parseGithubBlobUrl(location.target);
    if (!integration || !parts) return false;

    const apiBaseUrl =
      integration.config.apiBaseUrl ?? 'https://api.github.com';
    const { headers } = await this.credentials.getCredentials({
      url: location.target,
    });
    const repoApi = `${apiBaseUrl}/repos/${encodeURIComponent(
      parts.owner,
    )}/${encodeURIComponent(parts.repo)}`;
    const doFetch = this.options.fetch ?? fetch;
    const cached = await cache.get<CacheItem>(CACHE_KEY);

    let response: Response;
    try {
      response = await doFetch(
        `${repoApi}/git/trees/${encodeURIComponent(parts.ref)}?recursive=1`,
        {
          headers: {
            ...headers,
            Accept: 'application/vnd.github+json',
            ...(cached && { 'If-None-Match': cached.etag }),
          },
        },
      );
    } catch (e) {
      emit(
        processingResult.generalError(
          location,
          `Could not reach GitHub for ${location.target}: ${e}`,
        ),
      );
      return true;
    }

    if (response.status === 304 && cached) {
      for (const result of await shuttle.results(cached.outcome, location)) {
        emit(result);
      }
      emit(processingResult.refresh(`url:${location.target}`));
      return true;
    }
    if (response.status === 404) {
      await response.body?.cancel();
      if (!optional) {
        emit(
          processingResult.notFoundError(
            location,
            `Unable to read url:${location.target}: GitHub has no repository ${parts.owner}/${parts.repo} with ref ${parts.ref}`,
          ),
        );
      }
      return true;
    }
    if (!response.ok) {
      emit(
        processingResult.generalError(
          location,
          await describeFailure(response, location.target),
        ),
      );
      return true;
    }

    const tree = (await response.json()) as {
      truncated?: boolean;
      tree: TreeEntry[];
    };
    if (tree.truncated) {
      // Too large to list in one answer: read file by file as before.
      this.options.logger.debug(
        `The tree of ${parts.owner}/${parts.repo} is truncated; reading ${location.target} file by file`,
      );
      return false;
    }
    const blobs = new Map(
      tree.tree.filter(e => e.type === 'blob').map(e => [e.path, e.sha]),
    );
    const dir = path.posix.dirname(parts.filePath);
    const inRepo = (relative: string) =>
      path.posix.normalize(path.posix.join(dir, relative));
    const readBlob = async (sha: string): Promise<string> => {
      const blob = await doFetch(`${repoApi}/git/blobs/${sha}`, {
        headers: { ...headers, Accept: 'application/vnd.github+json' },
      });
      if (!blob.ok) {
        throw new GithubRequestError(
          await describeFailure(blob, location.target),
          blob.status,
        );
      }
      const body = (await blob.json()) as { content: string; encoding: string };
      return Buffer.from(
        body.content,
        body.encoding === 'base64' ? 'base64' : 'utf8',
      ).toString('utf8');
    };
    const siblings: SiblingReader = {
      async exists(relative) {
        return blobs.has(inRepo(relative));
      },
      async read(relative) {
        const sha = blobs.get(inRepo(relative));
        return sha === undefined ? undefined : readBlob(sha);
      },
    };

    const ownSha = blobs.get(parts.filePath);
    if (ownSha === undefined) {
      if (!optional) {
        emit(
          processingResult.notFoundError(
            location,
            `Unable to read url:${location.target}: ${parts.filePath} is not in ${parts.owner}/${parts.repo} at ${parts.ref}`,
          ),
        );
      }
      return true;
    }
    let data: Buffer;
    try {
      data = Buffer.from(await readBlob(ownSha), 'utf8');
    } catch (e) {
      emit(processingResult.generalError(location, String(e)));
      return true;
    }
    const outcome = await shuttle.parse(data, location, siblings);
    for (const result of await shuttle.results(outcome, location)) {
      emit(result);
    }
    emit(processingResult.refresh(`url:${location.target}`));
    const etag = response.headers.get('etag');
    // A failed read (rate limit, outage) is not a property of the tree: retry it.
    if (etag && !('error' in outcome && outcome.kind === 'general')) {
      await cache.set<CacheItem>(CACHE_KEY, { etag, outcome });
    }
    return true;
  }
}

/** A message for a failed GitHub answer; rate limits say when they reset. */
async function describeFailure(
  response: Response,
  target: string,
): Promise<string> {
  const body = await response.text().catch(() => '');
  let message = '';
  try {
    message = JSON.parse(body).message ?? '';
  } catch {
    // not JSON
  }
  const remaining = response.headers.get('x-ratelimit-remaining');
  const reset = response.headers.get('x-ratelimit-reset');
  const retryAfter = response.headers.get('retry-after');
  if (
    (response.status === 403 || response.status === 429) &&
    (remaining === '0' || retryAfter)
  ) {
    let when = 'reset time unknown';
    if (retryAfter) when = `retry after ${retryAfter} s`;
    else if (reset) {
      when = `resets at ${new Date(Number(reset) * 1000).toISOString()}`;
    }
    return `GitHub rate limit reached while reading ${target} (${when}); the catalog keeps the last good result`;
  }
  return `GitHub answered ${response.status} for ${target}${
    message ? `: ${message}` : ''
  }`;
}
