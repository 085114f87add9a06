import { promises as fs } from 'node:fs';
import path from 'node:path';
import { NotFoundError } from '@backstage/errors';
import { LoggerService, UrlReaderService } from '@backstage/backend-plugin-api';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  CatalogProcessorParser,
  CatalogProcessorResult,
  LocationSpec,
  parseEntityYaml,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
  stringifyLocationRef,
} from '@backstage/catalog-model';
import {
  ANNOTATIONS,
  RepositoryFacts,
  ShuttleFile,
  ShuttleFileError,
  ShuttleProcessorConfig,
  parsePlanYaml,
  parseShuttleYaml,
  planToEntity,
  shuttleToEntities,
  typeNeedsRepositoryContents,
  yamlTypeOf,
} from '@internal/plugin-shuttle-node';
import { CatalogState } from '../database/CatalogState';

/** Another location already holds an entity ref this location declares. */
export class EntityConflictError extends ShuttleFileError {
  name = 'EntityConflictError';
}

/** Reads files next to a location's target, locally or through SCM. */
export interface SiblingReader {
  /** The file's text, or undefined when it does not exist. */
  read(relativePath: string): Promise<string | undefined>;
  /** Whether the file exists (a tree listing answers this without a read). */
  exists(relativePath: string): Promise<boolean>;
}

function fileSiblings(target: string): SiblingReader {
  const dir = path.dirname(target);
  return {
    async exists(relativePath) {
      return (await this.read(relativePath)) !== undefined;
    },
    async read(relativePath) {
      try {
        return await fs.readFile(path.join(dir, relativePath), 'utf8');
      } catch (e: any) {
        if (e?.code === 'ENOENT' || e?.code === 'ENOTDIR') return undefined;
        throw e;
      }
    },
  };
}

function urlSiblings(
  target: string,
  reader: UrlReaderService,
  integrations: ScmIntegrationRegistry,
): SiblingReader {
  return {
    async exists(relativePath) {
      return (await this.read(relativePath)) !== undefined;
    },
    async read(relativePath) {
      const url = integrations.resolveUrl({ url: relativePath, base: target });
      try {
        const response = await reader.readUrl(url);
        return (await response.buffer()).toString('utf8');
      } catch (e) {
        if (
          e instanceof NotFoundError ||
          (e as Error)?.name === 'NotFoundError'
        ) {
          return undefined;
        }
        throw e;
      }
    },
  };
}

/** Facts about the repository from where its shuttle.yaml is. */
export function repositoryFromLocation(
  location: LocationSpec,
  integrations: ScmIntegrationRegistry,
): Omit<RepositoryFacts, 'techdocsRef' | 'apiDefinition'> {
  if (location.type === 'file') {
    const dir = path.dirname(location.target);
    return { name: path.basename(dir), sourceLocation: `file:${dir}/` };
  }
  const url = new URL(location.target);
  // .../<org>/<repo>/(blob|tree)/<ref>/shuttle.yaml, as GitHub discovery registers it.
  const match = /^\/([^/]+)\/([^/]+)\/(?:blob|tree|-\/blob)\//.exec(
    url.pathname,
  );
  const name = match?.[2] ?? path.basename(path.dirname(url.pathname));
  const isGithub = integrations.byUrl(location.target)?.type === 'github';
  return {
    name,
    sourceLocation: `url:${integrations.resolveUrl({
      url: './',
      base: location.target,
    })}`,
    ...(isGithub && match && { projectSlug: `${match[1]}/${match[2]}` }),
  };
}

function locationFileName(location: LocationSpec): string | undefined {
  if (location.type !== 'file' && location.type !== 'url') return undefined;
  if (location.type === 'file') return path.basename(location.target);
  try {
    return path.basename(new URL(location.target).pathname);
  } catch {
    return path.basename(location.target);
  }
}

/** True when the location points at a shuttle file (by file name). */
export function isShuttleLocation(
  location: LocationSpec,
  fileNames: string[],
): boolean {
  const name = locationFileName(location);
  return name !== undefined && fileNames.includes(name);
}

/**
 * The catalog's entity data parser with shuttle support: a location whose
 * file is named shuttle.yaml (configurable) is read as shuttle.yaml and
 * mapped to entities; everything else goes to the default YAML parser.
 *
 * Precedence: a repository that also has catalog-info.yaml next to its
 * shuttle.yaml is described by catalog-info.yaml alone; the shuttle.yaml
 * location then emits nothing, so the two never conflict.
 */
export function createShuttleParser(options: {
  config: ShuttleProcessorConfig;
  reader: UrlReaderService;
  integrations: ScmIntegrationRegistry;
  logger: LoggerService;
  /** The catalog's state, for conflicts and unknown owners; skipped without. */
  catalogState?: CatalogState;
}): CatalogProcessorParser {
  const { reader, integrations } = options;
  const shuttle = createShuttleLocationReader(options);
  return async function* shuttleParser({
    data,
    location,
  }): AsyncIterable<CatalogProcessorResult> {
    if (!shuttle.matches(location)) {
      yield* parseEntityYaml(data, location);
      return;
    }
    const siblings =
      location.type === 'file'
        ? fileSiblings(location.target)
        : urlSiblings(location.target, reader, integrations);
    const outcome = await shuttle.parse(data, location, siblings);
    yield* await shuttle.results(outcome, location);
  };
}

/**
 * What parsing one shuttle location gave: its entities (before the catalog
 * checks), or the error it gets. Plain data, so it can be cached.
 */
export type ShuttleParseOutcome =
  | { entities: Entity[] }
  | { error: string; kind: 'input' | 'general' };

/** Parsing and checking of shuttle locations, shared by parser and processor. */
export interface ShuttleLocationReader {
  /** Whether the location is a shuttle.yaml or plan.yaml (by file name). */
  matches(location: LocationSpec): boolean;
  /** Parses the file and maps it with its siblings; never throws. */
  parse(
    data: Buffer,
    location: LocationSpec,
    siblings: SiblingReader,
  ): Promise<ShuttleParseOutcome>;
  /**
   * The processing results of an outcome, after the checks against the
   * catalog (conflicts, unknown owners), which are re-run every time.
   */
  results(
    outcome: ShuttleParseOutcome,
    location: LocationSpec,
  ): Promise<CatalogProcessorResult[]>;
}

export function createShuttleLocationReader(options: {
  config: ShuttleProcessorConfig;
  integrations: ScmIntegrationRegistry;
  logger: LoggerService;
  catalogState?: CatalogState;
}): ShuttleLocationReader {
  const { config, integrations, logger, catalogState } = options;
  const isPlanLocation = (location: LocationSpec) =>
    isShuttleLocation(location, config.planFileNames);
  const fail = (location: LocationSpec, message: string, conflict = false) =>
    processingResult.inputError(
      location,
      `${conflict ? 'Conflicting' : 'Invalid'} ${
        isPlanLocation(location) ? 'shuttle plan' : 'shuttle.yaml'
      } at ${location.type}:${location.target}: ${message}`,
    );

  return {
    matches(location) {
      return (
        isPlanLocation(location) ||
        isShuttleLocation(location, config.fileNames)
      );
    },
    async parse(data, location, siblings) {
      try {
        return {
          entities: isPlanLocation(location)
            ? await planEntities(data, location, siblings)
            : await shuttleEntities(data, location, siblings),
        };
      } catch (e) {
        return (e as Error).name === 'ShuttleFileError'
          ? { error: (e as Error).message, kind: 'input' }
          : {
              error: `Could not read the repository of ${location.target}: ${e}`,
              kind: 'general',
            };
      }
    },
    async results(outcome, location) {
      if ('error' in outcome) {
        return [
          outcome.kind === 'input'
            ? fail(location, outcome.error)
            : processingResult.generalError(location, outcome.error),
        ];
      }
      try {
        // A copy: the caller may keep the outcome (cache) and reuse it.
        const entities = await checkAgainstCatalog(
          structuredClone(outcome.entities),
          location,
        );
        return entities.map(entity =>
          processingResult.entity(location, entity),
        );
      } catch (e) {
        const name = (e as Error).name;
        if (name === 'ShuttleFileError' || name === 'EntityConflictError') {
          return [
            fail(
              location,
              (e as Error).message,
              name === 'EntityConflictError',
            ),
          ];
        }
        return [
          processingResult.generalError(
            location,
            `Could not check ${location.target} against the catalog: ${e}`,
          ),
        ];
      }
    },
  };

  /**
   * Refs another location already holds are a conflict: the location that
   * stored the entity first keeps it (the catalog's own rule), and this one
   * gets an error naming it. Owners that are not in the catalog are marked
   * (annotation `lunar.app/unknown-owner`) or, with
   * `catalog.shuttle.unknownOwner: error`, rejected.
   */
  async function checkAgainstCatalog(
    entities: Entity[],
    location: LocationSpec,
  ): Promise<Entity[]> {
    if (!catalogState || !entities.length) return entities;
    const locationKey = stringifyLocationRef(location);
    const refs = entities.map(e => stringifyEntityRef(e));
    const ownerOf = (e: Entity) =>
      e.kind === 'Component' && typeof e.spec?.owner === 'string'
        ? stringifyEntityRef(
            parseEntityRef(e.spec.owner, {
              defaultKind: 'group',
              defaultNamespace: e.metadata.namespace ?? 'default',
            }),
          )
        : undefined;
    const owners = entities.map(ownerOf).filter((r): r is string => !!r);
    const holders = await catalogState.holders([...refs, ...owners]);

    const conflicts = refs.flatMap(ref => {
      const holder = holders.get(ref);
      return holder?.locationKey && holder.locationKey !== locationKey
        ? [{ ref, holder }]
        : [];
    });
    if (conflicts.length) {
      const name = entities[0].metadata.name;
      const reasons = conflicts.map(({ ref, holder }) =>
        holder.orphan
          ? `${ref} is still held by ${holder.locationKey}, which no longer declares it; it passes to this location once the catalog removes the orphan (catalog.orphanStrategy: delete) or it is unregistered`
          : `${ref} is already defined by ${
              holder.locationKey
            }, which declares the same name '${
              parseEntityRef(ref).name
            }'; the location that stored it first keeps it`,
      );
      throw new EntityConflictError(
        `${reasons.join(
          '; ',
        )}. Rename '${name}' here (vars.service or the repository) or remove it there.`,
      );
    }

    for (const entity of entities) {
      const owner = ownerOf(entity);
      if (!owner || holders.has(owner)) continue;
      const ownerName = parseEntityRef(owner).name;
      if (config.unknownOwner === 'error') {
        throw new ShuttleFileError(
          `owner ${ownerName} is not a known squad: there is no ${owner} in the catalog`,
        );
      }
      entity.metadata.annotations = {
        ...entity.metadata.annotations,
        [ANNOTATIONS.unknownOwner]: owner,
      };
    }
    return entities;
  }

  /** Facts about the repository around the file, from its siblings. */
  async function repositoryFacts(
    location: LocationSpec,
    siblings: SiblingReader,
    file?: ShuttleFile,
  ): Promise<RepositoryFacts> {
    const hasMkdocs = await siblings.exists('mkdocs.yml');
    let apiDefinition: RepositoryFacts['apiDefinition'];
    if (file) {
      for (const candidate of config.apiDefinitionPaths) {
        const content = await siblings.read(candidate);
        if (content !== undefined) {
          apiDefinition = { path: candidate, content };
          break;
        }
      }
    }
    let techdocsRef: string | undefined;
    if (hasMkdocs) {
      techdocsRef =
        location.type === 'file'
          ? `dir:${path.dirname(location.target)}`
          : 'dir:.';
    }
    // Only when neither the plan nor vars say what the repository is.
    const hasDockerfile =
      file && !apiDefinition && typeNeedsRepositoryContents(file, config)
        ? await siblings.exists('Dockerfile')
        : undefined;
    return {
      ...repositoryFromLocation(location, integrations),
      techdocsRef,
      apiDefinition,
      ...(hasDockerfile !== undefined && { hasDockerfile }),
    };
  }

  async function shuttleEntities(
    data: Buffer,
    location: LocationSpec,
    siblings: SiblingReader,
  ) {
    const file = parseShuttleYaml(data.toString('utf8'));
    if (await siblings.exists('catalog-info.yaml')) {
      logger.debug(
        `Skipping ${location.target}: the repository has a catalog-info.yaml, which takes precedence`,
      );
      return [];
    }
    for (const planFile of config.planFileNames) {
      if (await siblings.exists(planFile)) {
        logger.debug(
          `Skipping ${location.target}: the repository is a shuttle plan (${planFile}), described by its plan entity`,
        );
        return [];
      }
    }
    const repo = await repositoryFacts(location, siblings, file);
    return shuttleToEntities(file, repo, config);
  }

  async function planEntities(
    data: Buffer,
    location: LocationSpec,
    siblings: SiblingReader,
  ) {
    const plan = parsePlanYaml(data.toString('utf8'));
    // The plan repository's own shuttle.yaml names its squad.
    let squad: string | undefined;
    for (const fileName of config.fileNames) {
      const content = await siblings.read(fileName);
      if (content === undefined) continue;
      let vars: Record<string, unknown> = {};
      try {
        vars = parseShuttleYaml(content).vars;
      } catch (e) {
        // Not ours to report: that file's own location says what is wrong.
        logger.debug(
          `Ignoring the shuttle.yaml next to ${location.target}: ${e}`,
        );
      }
      const value = vars.squad;
      if (typeof value === 'string' && value.trim()) {
        squad = value.trim();
      } else if (
        value !== undefined &&
        value !== null &&
        typeof value !== 'string'
      ) {
        // That location emits nothing (the plan describes the repository),
        // so a wrong-typed squad is reported here rather than read as none.
        throw new ShuttleFileError(
          `vars.squad of the ${fileName} next to it must be a string, got ${yamlTypeOf(
            value,
          )}${
            typeof value === 'number' || typeof value === 'boolean'
              ? ` (quote it: squad: "${String(value)}")`
              : ''
          }`,
        );
      }
      break;
    }
    const repo = await repositoryFacts(location, siblings);
    return [planToEntity(plan, { ...repo, squad }, config)];
  }
}
