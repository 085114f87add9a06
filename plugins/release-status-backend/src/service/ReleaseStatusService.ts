import { createHash } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_SOURCE_LOCATION,
  Entity,
  RELATION_OWNED_BY,
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
  logger: LoggerService;
}

/** The release-manager service name and repository of a component. */
function namesOf(entity: Entity) {
  return {
    service:
      entity.metadata.annotations?.[LUNAR_ANNOTATIONS.releaseManagerService] ??
      entity.metadata.name,
    repo: repositoryOf(entity),
  };
}

/**
 * Release status of catalog components: release-manager's view of each
 * environment merged with git's (the environment tags and drift). Called
 * by the refresh only (see ReleaseStatusRefresher), never per request.
 */
export class ReleaseStatusService {
  constructor(private readonly options: ReleaseStatusServiceOptions) {}

  get environments() {
    return this.options.environments;
  }

  /**
   * What the sources look like now, cheaply (release-manager's artifact
   * per environment, git's branch head and environment tags), as a hash;
   * undefined when a source cannot say (no cheap check, or it failed), so
   * the component is recomputed. Equal fingerprints mean an unchanged
   * status.
   */
  async fingerprint(entity: Entity): Promise<string | undefined> {
    const { environments, releaseManager, gitSources } = this.options;
    const { service, repo } = namesOf(entity);
    const gitSource = gitSources.find(s => s.handles(repo));
    if (
      (releaseManager && !releaseManager.version) ||
      (gitSource && !gitSource.version)
    ) {
      return undefined;
    }
    try {
      const [rm, git] = await Promise.all([
        releaseManager?.version!(service, environments) ?? 'not-configured',
        gitSource?.version!(repo, environments) ?? 'not-configured',
      ]);
      return createHash('sha256')
        .update(
          JSON.stringify({
            entity: {
              ref: stringifyEntityRef(entity),
              service,
              repo,
              owner: ownerOf(entity),
            },
            environments,
            rm: rm ?? null,
            git: git ?? null,
          }),
        )
        .digest('hex');
    } catch (e) {
      this.options.logger.debug(
        `Release status: no fingerprint for ${stringifyEntityRef(entity)}: ${
          (e as Error).message
        }`,
      );
      return undefined;
    }
  }

  /** Asks every source; a failing source is a state in the answer, never a throw. */
  async compute(entity: Entity): Promise<ReleaseStatus> {
    const { environments, releaseManager, gitSources } = this.options;
    const { service, repo } = namesOf(entity);
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
      const sha = fromGit?.commit.sha ?? fromRm?.sha ?? null;
      // release-manager's history: compared from its release before to its
      // current one (the environment's tag may have moved meanwhile).
      const previous = fromRm?.previous ?? null;
      const current = fromRm?.sha ?? sha;
      rows.push({
        environment,
        sha,
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
        previous,
        compareUrl:
          git.facts?.webUrl &&
          previous?.sha &&
          current &&
          previous.sha !== current
            ? `${git.facts.webUrl}/compare/${previous.sha}...${current}`
            : null,
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
      owner: ownerOf(entity),
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

/** The entity ref of a component's owner (its ownedBy relation), or null. */
export function ownerOf(entity: Entity): string | null {
  return (
    entity.relations?.find(r => r.type === RELATION_OWNED_BY)?.targetRef ?? null
  );
}

async function notConfigured<T>(
  source: SourceState['source'],
  message: string,
): Promise<{ facts?: T; state: SourceState }> {
  return { state: { source, state: 'not-configured', message } };
}
