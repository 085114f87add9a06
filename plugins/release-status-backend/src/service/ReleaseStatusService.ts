import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import {
  ANNOTATION_SOURCE_LOCATION,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  EnvironmentRelease,
  ReleaseStatus,
  SourceState,
} from '@internal/plugin-release-status-common';
import { LUNAR_ANNOTATIONS } from '@internal/plugin-lunar-common';
import {
  ReleaseManagerFacts,
  ReleaseManagerSource,
} from '../sources/ReleaseManagerClient';
import {
  GitFacts,
  GitSource,
  RepositoryRef,
  SourceError,
} from '../sources/types';

const PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';

/**
 * How long a status is cached when a source could not answer (`unreachable`
 * or `error`): briefly, so a GitHub or release-manager outage is not served
 * as the answer for the whole cache period once the source is back.
 */
export const FAILURE_TTL_MS = 30_000;

/** Whether a status holds an answer, or only a failure to get one. */
function hasFailedSource(status: ReleaseStatus): boolean {
  return status.sources.some(
    s => s.state === 'unreachable' || s.state === 'error',
  );
}

/** The repository an entity's facts are read from. */
export function repositoryOf(entity: Entity): RepositoryRef {
  const annotations = entity.metadata.annotations ?? {};
  const slug = annotations[PROJECT_SLUG_ANNOTATION];
  if (slug) return { projectSlug: slug, name: slug.split('/').pop()! };
  const location = annotations[ANNOTATION_SOURCE_LOCATION];
  const folder = location
    ?.replace(/^(url|file):/, '')
    .replace(/\/+$/, '')
    .split('/')
    .pop();
  return { name: folder || entity.metadata.name };
}

export interface ReleaseStatusServiceOptions {
  /** Configured environments, in promotion order. */
  environments: string[];
  releaseManager?: ReleaseManagerSource;
  /** Tried in order; the first that handles a repository reads it. */
  gitSources: GitSource[];
  cache: CacheService;
  /** How long an answered status is cached. */
  ttlMs: number;
  /**
   * How long a status with an `unreachable` or `error` source is cached, at
   * most `ttlMs` (default {@link FAILURE_TTL_MS}).
   */
  failureTtlMs?: number;
  logger: LoggerService;
}

/**
 * Release status of catalog components: release-manager's view of each
 * environment merged with git's (the environment tags and drift), cached
 * per component so many requests for a squad's services cost one look-up
 * each per cache period (a much shorter one when a source failed).
 */
export class ReleaseStatusService {
  private readonly inFlight = new Map<string, Promise<ReleaseStatus>>();

  constructor(private readonly options: ReleaseStatusServiceOptions) {}

  get environments() {
    return this.options.environments;
  }

  async status(
    entity: Entity,
    opts: { refresh?: boolean } = {},
  ): Promise<ReleaseStatus> {
    const key = `status:${stringifyEntityRef(entity)}`;
    if (!opts.refresh) {
      const cached = await this.options.cache.get(key);
      if (cached) return cached as unknown as ReleaseStatus;
    }
    // Concurrent requests for the same component share one look-up.
    const running = this.inFlight.get(key);
    if (running) return running;
    const promise = this.compute(entity)
      .then(async status => {
        await this.options.cache.set(key, status as unknown as JsonObject, {
          ttl: this.ttlOf(status),
        });
        return status;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  /**
   * `ok`, `not-configured` and `unknown-service` are answers, kept for the
   * whole TTL; a source that failed is asked again soon.
   */
  private ttlOf(status: ReleaseStatus): number {
    const { ttlMs, failureTtlMs = FAILURE_TTL_MS } = this.options;
    return hasFailedSource(status) ? Math.min(ttlMs, failureTtlMs) : ttlMs;
  }

  private async compute(entity: Entity): Promise<ReleaseStatus> {
    const { environments, releaseManager, gitSources } = this.options;
    const service =
      entity.metadata.annotations?.[LUNAR_ANNOTATIONS.releaseManagerService] ??
      entity.metadata.name;
    const repo = repositoryOf(entity);
    const gitSource = gitSources.find(s => s.handles(repo));

    const [rm, git] = await Promise.all([
      releaseManager
        ? this.ask('release-manager', `service ${service}`, () =>
            releaseManager.facts(service, environments),
          )
        : notConfigured<ReleaseManagerFacts>(
            'release-manager',
            'release-manager is not configured (releaseStatus.releaseManager)',
          ),
      gitSource
        ? this.ask('git', `repository ${repo.projectSlug ?? repo.name}`, () =>
            gitSource.read(repo, environments),
          )
        : notConfigured<GitFacts>(
            'git',
            'No git source is configured for this repository (releaseStatus.git, or a GitHub integration and a github.com/project-slug annotation)',
          ),
    ]);

    // Configured environments first, in order, then any others
    // release-manager knows of.
    const names = [
      ...environments,
      ...[...(rm.facts?.environments.keys() ?? [])].filter(
        e => !environments.includes(e),
      ),
    ];
    const rows: EnvironmentRelease[] = [];
    for (const environment of names) {
      const fromRm = rm.facts?.environments.get(environment);
      const fromGit = git.facts?.environments.get(environment);
      if (!fromRm && !fromGit) continue;
      rows.push({
        environment,
        sha: fromGit?.commit.sha ?? fromRm?.sha ?? null,
        artifactId: fromRm?.artifactId ?? null,
        commitUrl: fromGit?.commit.url ?? null,
        author: fromRm?.author ?? fromGit?.commit.author ?? null,
        message: fromRm?.message ?? fromGit?.commit.message ?? null,
        committedAt: fromRm?.committedAt ?? fromGit?.commit.committedAt ?? null,
        releasedAt: fromRm?.releasedAt ?? null,
        releasedBy: fromRm?.releasedBy ?? null,
        intent: fromRm?.intent ?? null,
        buildUrl: fromRm?.buildUrl ?? null,
        drift: fromGit?.drift ?? null,
        ...(!fromGit && {
          driftError: git.facts
            ? `The repository has no '${environment}' tag`
            : git.state.message,
        }),
      });
    }

    return {
      entityRef: stringifyEntityRef(entity),
      service,
      owner:
        entity.relations?.find(r => r.type === 'ownedBy')?.targetRef ?? null,
      defaultBranch: git.facts?.defaultBranch ?? 'master',
      head: git.facts
        ? {
            sha: git.facts.head.sha,
            committedAt: git.facts.head.committedAt,
          }
        : null,
      environments: rows,
      autoReleasePolicies: rm.facts?.policies ?? [],
      sources: [rm.state, git.state],
      generatedAt: new Date().toISOString(),
    };
  }

  /** Runs a source, turning its answer into facts and a state. */
  private async ask<T>(
    source: SourceState['source'],
    what: string,
    read: () => Promise<T | undefined>,
  ): Promise<{ facts?: T; state: SourceState }> {
    try {
      const facts = await read();
      if (facts === undefined) {
        return {
          state: {
            source,
            state: 'unknown-service',
            message: `${source} does not know ${what}`,
          },
        };
      }
      return { facts, state: { source, state: 'ok' } };
    } catch (e) {
      const error = e as Error;
      const state =
        e instanceof SourceError ? e.state : ('unreachable' as const);
      this.options.logger.warn(
        `Release status: ${source} failed for ${what}: ${error.message}`,
      );
      return { state: { source, state, message: error.message } };
    }
  }
}

async function notConfigured<T>(
  source: SourceState['source'],
  message: string,
): Promise<{ facts?: T; state: SourceState }> {
  return { state: { source, state: 'not-configured', message } };
}
