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
  CatalogProcessorResult,
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
  /**
   * The ref the URL was resolved to when more than one of its segments
   * could be the ref (`blob/feature/x/shuttle.yaml`).
   */
  ref?: string;
};

const CACHE_KEY = 'shuttle-github-tree-v1';

/**
 * How many locations whose processing ends in an error the processor
 * remembers itself (ETag and outcome), oldest dropped first.
 */
const HELD_LIMIT = 1000;

type TreeEntry = { path: string; type: string; sha: string };

/** A GitHub answer that is neither OK nor "not modified". */
export class GithubRequestError extends Error {
  name = 'GithubRequestError';
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/**
 * `https://github.com/<owner>/<repo>/blob/<ref>/<path>`, as discovery
 * registers it. A ref may contain `/` (`feature/x`), so which segments are
 * the ref is only known from the repository's refs: `segments` are all of
 * them, ref and path together. `ref` and `filePath` are set when only one
 * split is possible (one segment before the file name, or a commit SHA).
 */
export function parseGithubBlobUrl(target: string):
  | {
      owner: string;
      repo: string;
      segments: string[];
      ref?: string;
      filePath?: string;
    }
  | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  const match = /^\/([^/]+)\/([^/]+)\/(?:blob|tree)\/(.+)$/.exec(url.pathname);
  if (!match) return undefined;
  const [owner, repo] = [match[1], match[2]].map(decodeURIComponent);
  const segments = match[3].split('/').map(decodeURIComponent);
  if (segments.length < 2 || segments.some(s => !s)) return undefined;
  if (segments.length === 2 || /^[0-9a-f]{40}$/.test(segments[0])) {
    const [ref, ...file] = segments;
    return { owner, repo, segments, ref, filePath: file.join('/') };
  }
  return { owner, repo, segments };
}

/** A URL's ref and the file's path in the repository. */
type Split = { ref: string; filePath: string };

/**
 * The splits of a URL's segments into a ref and a file path whose ref is one
 * of `refs` (branch and tag names): `feature/x/shuttle.yaml` is the branch
 * `feature` with `x/shuttle.yaml`, or the branch `feature/x` with
 * `shuttle.yaml`, depending on which exists.
 */
export function splitsNamingRefs(
  segments: string[],
  refs: Set<string>,
): Split[] {
  const splits: Split[] = [];
  for (let i = 1; i < segments.length; i++) {
    const ref = segments.slice(0, i).join('/');
    if (refs.has(ref)) {
      splits.push({ ref, filePath: segments.slice(i).join('/') });
    }
  }
  return splits;
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
 * The catalog keeps a processor's cache only when the processing had no
 * errors, so a location this processor ends in an error (an invalid
 * shuttle.yaml, a conflict, an unknown owner with `unknownOwner: error`)
 * would be read in full every time. Those locations' ETag and outcome are
 * kept here instead, in memory (per replica, up to HELD_LIMIT), so an
 * unchanged erroring repository also costs one 304.
 *
 * Runs before the catalog's UrlReaderProcessor (priority 10 < 20). Other
 * locations (file, non-GitHub, other file names, truncated trees) are left to
 * the catalog's own readers and the shuttle parser, as before.
 */
export class ShuttleGithubProcessor implements CatalogProcessor {
  private readonly credentials: GithubCredentialsProvider;
  /** Cache items of locations whose last processing here ended in an error. */
  private readonly held = new Map<string, CacheItem>();

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
    const cached =
      this.held.get(location.target) ?? (await cache.get<CacheItem>(CACHE_KEY));
    const get = (url: string, extra: Record<string, string> = {}) =>
      doFetch(url, {
        headers: {
          ...headers,
          Accept: 'application/vnd.github+json',
          ...extra,
        },
      });
    const unreachable = (e: unknown) => {
      emit(
        processingResult.generalError(
          location,
          `Could not reach GitHub for ${location.target}: ${e}`,
        ),
      );
      return true;
    };

    // Which segments are the ref: known from the URL, else the last
    // resolution (while its tree exists), else asked of GitHub.
    let target: Split | undefined;
    if (parts.ref !== undefined) {
      target = { ref: parts.ref, filePath: parts.filePath! };
    } else if (
      cached?.ref !== undefined &&
      parts.segments.join('/').startsWith(`${cached.ref}/`)
    ) {
      target = {
        ref: cached.ref,
        filePath: parts.segments.slice(cached.ref.split('/').length).join('/'),
      };
    }
    let resolvedNow = false;
    let previous: CacheItem | undefined;
    let response: Response;
    for (;;) {
      if (!target) {
        let resolution: Awaited<ReturnType<typeof this.resolveRef>>;
        try {
          resolution = await this.resolveRef(
            parts,
            location.target,
            repoApi,
            get,
          );
        } catch (e) {
          return unreachable(e);
        }
        if ('error' in resolution) {
          emit(processingResult.generalError(location, resolution.error));
          return true;
        }
        if ('notFound' in resolution) {
          if (!optional) {
            emit(processingResult.notFoundError(location, resolution.notFound));
          }
          return true;
        }
        target = resolution.split;
        resolvedNow = true;
      }
      // A cached outcome belongs to the ref it was read from.
      previous =
        cached && (cached.ref ?? parts.ref) === target.ref ? cached : undefined;
      try {
        response = await get(
          `${repoApi}/git/trees/${encodeURIComponent(target.ref)}?recursive=1`,
          previous ? { 'If-None-Match': previous.etag } : {},
        );
      } catch (e) {
        return unreachable(e);
      }
      if (response.status !== 404 || parts.ref !== undefined || resolvedNow) {
        break;
      }
      // The ref it resolved to last time is gone: resolve again.
      await response.body?.cancel();
      target = undefined;
    }

    if (response.status === 304 && previous) {
      const results = await shuttle.results(previous.outcome, location);
      for (const result of results) emit(result);
      emit(processingResult.refresh(`url:${location.target}`));
      // It may come from `held`: the catalog keeps it once nothing fails.
      await cache.set<CacheItem>(CACHE_KEY, previous);
      this.hold(location.target, previous, results);
      return true;
    }
    if (response.status === 404) {
      await response.body?.cancel();
      this.held.delete(location.target);
      if (!optional) {
        emit(
          processingResult.notFoundError(
            location,
            `Unable to read url:${location.target}: GitHub has no repository ${parts.owner}/${parts.repo} with ref ${target.ref}`,
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
    const dir = path.posix.dirname(target.filePath);
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

    const ownSha = blobs.get(target.filePath);
    if (ownSha === undefined) {
      if (!optional) {
        emit(
          processingResult.notFoundError(
            location,
            `Unable to read url:${location.target}: ${target.filePath} is not in ${parts.owner}/${parts.repo} at ${target.ref}`,
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
    const results = await shuttle.results(outcome, location);
    for (const result of results) emit(result);
    emit(processingResult.refresh(`url:${location.target}`));
    const etag = response.headers.get('etag');
    // A failed read (rate limit, outage) is not a property of the tree: retry it.
    if (etag && !('error' in outcome && outcome.kind === 'general')) {
      const item: CacheItem = {
        etag,
        outcome,
        ...(parts.ref === undefined && { ref: target.ref }),
      };
      await cache.set<CacheItem>(CACHE_KEY, item);
      this.hold(location.target, item, results);
    } else {
      this.held.delete(location.target);
    }
    return true;
  }

  /**
   * Keeps the cache item of a location whose results include an error,
   * which the catalog would drop with the rest of that processing's state;
   * forgets it once the location processes cleanly (the catalog keeps it).
   */
  private hold(
    target: string,
    item: CacheItem,
    results: CatalogProcessorResult[],
  ) {
    this.held.delete(target);
    if (!results.some(r => r.type === 'error')) return;
    this.held.set(target, item);
    if (this.held.size > HELD_LIMIT) {
      this.held.delete(this.held.keys().next().value!);
    }
  }

  /**
   * The one split of an ambiguous URL into ref and file path that names an
   * existing branch or tag (two requests: the branches and the tags whose
   * names start with the first segment). Not found when none does; an error
   * when more than one does, since guessing could read the wrong branch.
   */
  private async resolveRef(
    parts: { owner: string; repo: string; segments: string[] },
    target: string,
    repoApi: string,
    get: (url: string) => Promise<Response>,
  ): Promise<{ split: Split } | { notFound: string } | { error: string }> {
    const repoName = `${parts.owner}/${parts.repo}`;
    const refs: string[] = [];
    for (const kind of ['heads', 'tags']) {
      const response = await get(
        `${repoApi}/git/matching-refs/${kind}/${encodeURIComponent(
          parts.segments[0],
        )}`,
      );
      if (response.status === 404) {
        await response.body?.cancel();
        return {
          notFound: `Unable to read url:${target}: GitHub has no repository ${repoName}`,
        };
      }
      if (!response.ok)
        return { error: await describeFailure(response, target) };
      for (const { ref } of (await response.json()) as { ref: string }[]) {
        refs.push(ref.replace(/^refs\/(heads|tags)\//, ''));
      }
    }
    const splits = splitsNamingRefs(parts.segments, new Set(refs));
    if (splits.length === 0) {
      const candidates = parts.segments
        .slice(0, -1)
        .map((_, i) => `'${parts.segments.slice(0, i + 1).join('/')}'`);
      return {
        notFound: `Unable to read url:${target}: no branch or tag of ${repoName} is named ${candidates.join(
          ' or ',
        )}`,
      };
    }
    if (splits.length > 1) {
      return {
        error: `Unable to read url:${target}: its ref is ambiguous, ${splits
          .map(s => `'${s.ref}' (file ${s.filePath})`)
          .join(
            ' and ',
          )} are all branches or tags of ${repoName}; register the location with a commit SHA, or rename one of them`,
      };
    }
    return { split: splits[0] };
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
