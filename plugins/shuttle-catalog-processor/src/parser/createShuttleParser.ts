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
import { ShuttleProcessorConfig } from '../config';
import { parseShuttleYaml } from '../mapping/parseShuttleYaml';
import {
  RepositoryFacts,
  shuttleToEntities,
} from '../mapping/shuttleToEntities';

/** Reads files next to a location's target, locally or through SCM. */
interface SiblingReader {
  /** The file's text, or undefined when it does not exist. */
  read(relativePath: string): Promise<string | undefined>;
}

function fileSiblings(target: string): SiblingReader {
  const dir = path.dirname(target);
  return {
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

/** True when the location points at a shuttle file (by file name). */
export function isShuttleLocation(
  location: LocationSpec,
  fileNames: string[],
): boolean {
  if (location.type !== 'file' && location.type !== 'url') return false;
  const pathname =
    location.type === 'url'
      ? (() => {
          try {
            return new URL(location.target).pathname;
          } catch {
            return location.target;
          }
        })()
      : location.target;
  return fileNames.includes(path.basename(pathname));
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
}): CatalogProcessorParser {
  const { config, reader, integrations, logger } = options;
  return async function* shuttleParser({
    data,
    location,
  }): AsyncIterable<CatalogProcessorResult> {
    if (!isShuttleLocation(location, config.fileNames)) {
      yield* parseEntityYaml(data, location);
      return;
    }
    const fail = (message: string) =>
      processingResult.inputError(
        location,
        `Invalid shuttle.yaml at ${location.type}:${location.target}: ${message}`,
      );

    let file;
    try {
      file = parseShuttleYaml(data.toString('utf8'));
    } catch (e) {
      yield fail((e as Error).message);
      return;
    }

    const siblings =
      location.type === 'file'
        ? fileSiblings(location.target)
        : urlSiblings(location.target, reader, integrations);
    try {
      if ((await siblings.read('catalog-info.yaml')) !== undefined) {
        logger.debug(
          `Skipping ${location.target}: the repository has a catalog-info.yaml, which takes precedence`,
        );
        return;
      }
      const hasMkdocs = (await siblings.read('mkdocs.yml')) !== undefined;
      let apiDefinition: RepositoryFacts['apiDefinition'];
      for (const candidate of config.apiDefinitionPaths) {
        const content = await siblings.read(candidate);
        if (content !== undefined) {
          apiDefinition = { path: candidate, content };
          break;
        }
      }
      let techdocsRef: string | undefined;
      if (hasMkdocs) {
        techdocsRef =
          location.type === 'file'
            ? `dir:${path.dirname(location.target)}`
            : 'dir:.';
      }
      const repo: RepositoryFacts = {
        ...repositoryFromLocation(location, integrations),
        techdocsRef,
        apiDefinition,
      };
      for (const entity of shuttleToEntities(file, repo, config)) {
        yield processingResult.entity(location, entity);
      }
    } catch (e) {
      if ((e as Error).name === 'ShuttleFileError') {
        yield fail((e as Error).message);
      } else {
        yield processingResult.generalError(
          location,
          `Could not read the repository of ${location.target}: ${e}`,
        );
      }
    }
  };
}
