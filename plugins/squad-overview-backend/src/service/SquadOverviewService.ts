import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { toSafeError } from '@internal/plugin-lunar-node';
import { ReleaseOverview } from '@internal/plugin-release-status-common';
import {
  PullRequestsResponse,
  PulseEvent,
  SectionError,
  SquadOverviewResponse,
  SquadService,
  SquadSummary,
  SquadsOverviewResponse,
  UnknownOwner,
} from '@internal/plugin-squad-overview-common';
import { PulseStore } from '../database/PulseStore';
import { PullRequestsService } from '../github/PullRequestsService';
import { nameOf, refOf } from '../names';
import { DeadLetterSource, ReleaseStatusSource } from '../sources/sources';
import { buildPulse } from './pulse';

/** Pulse entries in a squad's overview. */
export const PULSE_LIMIT = 50;

const PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';

const COMPONENT_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.type',
  'spec.lifecycle',
  'relations',
];

/** The outcome of reading one source: its data or why not. */
interface Read<T> {
  data?: T;
  error?: SectionError;
}

/**
 * Reads one source; a failure becomes the section's error. Another
 * plugin's HTTP error says its status; anything else goes through
 * toSafeError, so no SQL, stack or connection string reaches the caller
 * (an internal error is logged under the reference its message gives).
 */
async function readSource<T>(
  source: string,
  load: () => Promise<T>,
  logger: LoggerService,
): Promise<Read<T>> {
  try {
    return { data: await load() };
  } catch (e) {
    const message =
      e instanceof ResponseError
        ? e.message
        : toSafeError(e, { logger, context: `Reading the ${source}` }).message;
    return { error: { message: `${source}: ${message}` } };
  }
}

const refsOf = (entity: Entity, type: string) =>
  (entity.relations ?? [])
    .filter(r => r.type === type)
    .map(r => r.targetRef.toLocaleLowerCase('en-US'));

const titleOf = (group: Entity) =>
  (group.spec?.profile as { displayName?: string } | undefined)?.displayName ??
  group.metadata.title ??
  group.metadata.name;

/**
 * Joins a squad's numbers on the server: its components (the catalog, read
 * with the caller's credentials, so what the caller cannot see is neither
 * listed nor counted), dead letters and release drift (the dead-letter and
 * release-status backends, asked on the caller's behalf), open pull
 * requests (GitHub) and the pulse (the plugin's store). The catalog is the
 * answer's backbone: when it fails the request fails. Every other source
 * is a section that reports its own error and leaves the rest intact.
 */
export class SquadOverviewService {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      store: PulseStore;
      pullRequests: PullRequestsService;
      deadLetters: DeadLetterSource;
      releases: ReleaseStatusSource;
      releaseEvents: boolean;
      logger: LoggerService;
    },
  ) {}

  private read<T>(source: string, load: () => Promise<T>) {
    return readSource(source, load, this.deps.logger);
  }

  /**
   * A squad's stored pulse entries, newest first, without entries about
   * components the caller cannot see (removed ones have no component left
   * and stay).
   */
  async storedPulse(
    squadRef: string,
    limit: number,
    credentials: BackstageCredentials,
  ): Promise<PulseEvent[]> {
    const items = await this.deps.store.listForSquad(squadRef, limit);
    const refs = [
      ...new Set(items.flatMap(i => (i.entityRef ? [i.entityRef] : []))),
    ];
    const visible = new Set<string>();
    if (refs.length) {
      const { items: entities } = await this.deps.catalog.getEntitiesByRefs(
        {
          entityRefs: refs,
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        },
        { credentials },
      );
      entities.forEach((e, i) => {
        if (e) visible.add(refs[i]);
      });
    }
    return items.filter(i => !i.entityRef || visible.has(i.entityRef));
  }

  /** Everything a squad's page shows; `squad` is the group as the caller sees it. */
  async squad(
    squad: Entity,
    credentials: BackstageCredentials,
  ): Promise<SquadOverviewResponse> {
    const { catalog, deadLetters, releases } = this.deps;
    const squadRef = refOf(squad);
    const squadName = squad.metadata.name;

    // The dead-letter environments first, then one request per environment
    // for each of counts and bursts.
    const environments = this.read('dead-letter backend', async () =>
      (await deadLetters.environments(credentials)).map(e => e.name),
    );
    const eachEnvironment = async <T>(
      load: (environment: string) => Promise<T>,
    ): Promise<Read<Array<{ environment: string; value: T }>>> => {
      const envs = await environments;
      if (!envs.data) return { error: envs.error };
      const names = envs.data;
      return this.read('dead-letter backend', () =>
        Promise.all(
          names.map(async environment => ({
            environment,
            value: await load(environment),
          })),
        ),
      );
    };
    const [components, counts, histograms, releaseOverview, prs, stored] =
      await Promise.all([
        catalog.getEntities(
          {
            filter: { kind: 'component', 'relations.ownedBy': squadRef },
            fields: COMPONENT_FIELDS,
          },
          { credentials },
        ),
        eachEnvironment(environment =>
          deadLetters.serviceOverview(environment, squadName, credentials),
        ),
        eachEnvironment(environment =>
          deadLetters.serviceHistogram(environment, squadName, credentials),
        ),
        this.read('release-status backend', () =>
          releases.overview(squadRef, credentials),
        ),
        this.pullRequestsOf(squadRef, credentials),
        this.read('pulse', () =>
          this.storedPulse(squadRef, PULSE_LIMIT, credentials),
        ),
      ]);

    const deadLetterEnvironments = counts.data?.map(c => c.environment) ?? [];
    const releaseItems = new Map(
      (releaseOverview.data?.items ?? []).map(i => [
        i.entityRef.toLocaleLowerCase('en-US'),
        i,
      ]),
    );
    const openByRef = new Map<string, number>();
    for (const pr of prs.state === 'ok' ? prs.items : []) {
      for (const ref of pr.entityRefs) {
        openByRef.set(ref, (openByRef.get(ref) ?? 0) + 1);
      }
    }

    const services: SquadService[] = components.items
      .map(entity => {
        const ref = refOf(entity);
        const deadLetterCounts: Record<string, number> = {};
        for (const { environment, value: rows } of counts.data ?? []) {
          const row = rows.find(s => s.service === entity.metadata.name);
          if (row) deadLetterCounts[environment] = row.count;
        }
        const hasRepository =
          !!entity.metadata.annotations?.[PROJECT_SLUG_ANNOTATION];
        return {
          entityRef: stringifyEntityRef(entity),
          name: entity.metadata.name,
          title: entity.metadata.title ?? null,
          type: String(entity.spec?.type ?? 'other'),
          lifecycle:
            typeof entity.spec?.lifecycle === 'string'
              ? entity.spec.lifecycle
              : null,
          deadLetters: deadLetterCounts,
          release: releaseItems.get(ref) ?? null,
          openPullRequests:
            prs.state === 'ok' && hasRepository
              ? openByRef.get(ref) ?? 0
              : null,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));

    // Only what concerns components the caller sees, whatever the other
    // backends answered: dead letters and releases name services as the
    // catalog names components.
    const visibleRefs = new Set(components.items.map(refOf));
    const visibleByName = new Map(services.map(s => [s.name, s.entityRef]));
    const releaseData = releaseOverview.data && {
      ...releaseOverview.data,
      items: releaseOverview.data.items.filter(i =>
        visibleRefs.has(i.entityRef.toLocaleLowerCase('en-US')),
      ),
    };
    const histogramData = histograms.data?.map(
      ({ environment, value: histogram }) => ({
        environment,
        histogram: {
          ...histogram,
          buckets: histogram.buckets.filter(
            b => b.key !== null && visibleByName.has(b.key),
          ),
        },
      }),
    );
    const missing: SectionError[] = [];
    if (releaseOverview.error) missing.push(releaseOverview.error);
    if (histograms.error) missing.push(histograms.error);

    return {
      squad: {
        entityRef: stringifyEntityRef(squad),
        name: squadName,
        title: titleOf(squad),
      },
      services,
      deadLetters: {
        environments: deadLetterEnvironments,
        ...(counts.error && { error: counts.error }),
      },
      releases: {
        environments: releaseData?.environments ?? [],
        ...(releaseOverview.error && { error: releaseOverview.error }),
      },
      pullRequests: prs,
      pulse: {
        items: stored.data
          ? buildPulse({
              events: stored.data,
              releases: releaseData,
              deadLetters: histogramData,
              refOfService: service => visibleByName.get(service) ?? null,
              limit: PULSE_LIMIT,
            })
          : [],
        releaseEvents: this.deps.releaseEvents,
        missing,
        ...(stored.error && { error: stored.error }),
      },
    };
  }

  /** Every squad (groups with `spec.type: squad`) with its numbers. */
  async squads(
    credentials: BackstageCredentials,
  ): Promise<SquadsOverviewResponse> {
    const { catalog, deadLetters, releases } = this.deps;
    const [groups, components, counts, releaseOverview] = await Promise.all([
      catalog.getEntities(
        {
          filter: { kind: 'group', 'spec.type': 'squad' },
          fields: [
            'kind',
            'metadata.name',
            'metadata.namespace',
            'metadata.title',
            'spec.profile',
            'relations',
          ],
        },
        { credentials },
      ),
      catalog.getEntities(
        {
          filter: { kind: 'component' },
          fields: [
            'kind',
            'metadata.name',
            'metadata.namespace',
            'spec.type',
            'relations',
          ],
        },
        { credentials },
      ),
      this.read('dead-letter backend', async () => {
        const envs = await deadLetters.environments(credentials);
        return Promise.all(
          envs.map(async e => ({
            environment: e.name,
            services: await deadLetters.serviceOverview(
              e.name,
              undefined,
              credentials,
            ),
          })),
        );
      }),
      this.read('release-status backend', () =>
        releases.overview(undefined, credentials),
      ),
    ]);

    const releaseData: ReleaseOverview | undefined = releaseOverview.data;
    const production =
      releaseData?.environments[releaseData.environments.length - 1] ?? null;
    const countData = counts.data;

    const ownedBy = new Map<string, Entity[]>();
    for (const c of components.items) {
      for (const owner of refsOf(c, 'ownedBy')) {
        ownedBy.set(owner, [...(ownedBy.get(owner) ?? []), c]);
      }
    }

    const squads: SquadSummary[] = groups.items.map(group => {
      const ref = refOf(group);
      const owned = ownedBy.get(ref) ?? [];
      const servicesByType: Record<string, number> = {};
      for (const c of owned) {
        const type = String(c.spec?.type ?? 'other');
        servicesByType[type] = (servicesByType[type] ?? 0) + 1;
      }
      // Dead letters of the squad's components the caller sees, as on the
      // squad's page: a component the caller cannot see is not counted.
      const names = new Set(owned.map(c => c.metadata.name));
      const deadLetterCounts: Record<string, number> = {};
      for (const { environment, services: rows } of countData ?? []) {
        deadLetterCounts[environment] = rows
          .filter(r => r.service !== null && names.has(r.service))
          .reduce((n, r) => n + r.count, 0);
      }
      const ownedRefs = new Set(owned.map(refOf));
      return {
        entityRef: stringifyEntityRef(group),
        name: group.metadata.name,
        title: titleOf(group),
        members: refsOf(group, 'hasMember').length,
        servicesByType,
        services: owned.length,
        deadLetters: deadLetterCounts,
        // Only components the caller sees in the catalog: release-status
        // reads the catalog with the caller's credentials too.
        behindInProduction: releaseData
          ? releaseData.items.filter(
              i =>
                ownedRefs.has(i.entityRef.toLocaleLowerCase('en-US')) &&
                (i.environments.find(e => e.environment === production)?.drift
                  ?.commitsBehind ?? 0) > 0,
            ).length
          : null,
      };
    });
    squads.sort(
      (a, b) => b.services - a.services || a.name.localeCompare(b.name),
    );

    const unknown = await this.read('catalog', () =>
      this.unknownOwners(
        new Set(squads.map(s => s.entityRef.toLocaleLowerCase('en-US'))),
        components.items,
        credentials,
      ),
    );
    return {
      squads,
      deadLetters: {
        environments: countData?.map(c => c.environment) ?? [],
        ...(counts.error && { error: counts.error }),
      },
      releases: {
        production,
        ...(releaseOverview.error && { error: releaseOverview.error }),
      },
      unknownOwners: {
        items: unknown.data ?? [],
        ...(unknown.error && { error: unknown.error }),
      },
    };
  }

  /** Open pull requests; a failure is the answer's `error` state. */
  private async pullRequestsOf(
    squadRef: string,
    credentials: BackstageCredentials,
  ): Promise<PullRequestsResponse> {
    try {
      return await this.deps.pullRequests.forOwner(squadRef, credentials);
    } catch (e) {
      this.deps.logger.warn(
        `Open pull requests of ${squadRef} could not be read: ${e}`,
      );
      return {
        state: 'error',
        message: `Open pull requests could not be read: ${
          (e as Error).message
        }`,
        items: [],
        repositories: 0,
        missing: [],
      };
    }
  }

  /**
   * Owners of components that are neither a listed squad nor any other
   * group the caller sees (e.g. shuttle.yaml `squad: juno` without a
   * squad-juno group). One catalog request, only when some component is
   * owned by something other than a listed squad.
   */
  private async unknownOwners(
    squadRefs: Set<string>,
    components: Entity[],
    credentials: BackstageCredentials,
  ): Promise<UnknownOwner[]> {
    const candidates = new Map<string, string[]>();
    for (const c of components) {
      for (const owner of refsOf(c, 'ownedBy')) {
        if (squadRefs.has(owner)) continue;
        candidates.set(owner, [
          ...(candidates.get(owner) ?? []),
          stringifyEntityRef(c),
        ]);
      }
    }
    if (!candidates.size) return [];
    const refs = [...candidates.keys()].sort();
    const { items } = await this.deps.catalog.getEntitiesByRefs(
      {
        entityRefs: refs,
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials },
    );
    return refs
      .filter((_, i) => !items[i])
      .map(ref => ({
        entityRef: ref,
        name: nameOf(ref),
        components: candidates.get(ref)!.sort(),
      }));
  }
}
