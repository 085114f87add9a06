import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs';
import path from 'node:path';
import { LunarScaffolderConfig } from '../config';
import { dnsLabelProblem, errorMessage, localRepoPaths } from '../names';
import { removeAll } from './publishLocal';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * `lunar:catalog:register-file`: registers the shuttle.yaml of a repository
 * made by `lunar:publish:local` as a `file` location. It first asks the
 * catalog for a dry run, so a file the shuttle processor rejects is reported
 * before anything is registered; on any failure it removes the location it
 * added and the folders in `cleanupPaths` (what `lunar:publish:local` created
 * in the same run), so a failed run leaves nothing behind and never removes
 * a repository another run made.
 */
export function createRegisterFileAction(opts: {
  catalog: CatalogService;
  config: LunarScaffolderConfig;
}) {
  const { catalog, config } = opts;
  return createTemplateAction({
    id: 'lunar:catalog:register-file',
    description:
      "Registers a locally published repository's shuttle.yaml in the catalog",
    supportsDryRun: true,
    schema: {
      input: {
        repoName: z =>
          z.string().describe('Repository made by lunar:publish:local'),
        filePath: z =>
          z
            .string()
            .optional()
            .describe(
              'File in the repository to register. Default: shuttle.yaml',
            ),
        entityRef: z =>
          z
            .string()
            .optional()
            .describe('Expected entity. Default: component:default/<repoName>'),
        waitSeconds: z =>
          z
            .number()
            .int()
            .min(0)
            .max(300)
            .optional()
            .describe(
              'Wait this long for the entity to appear in the catalog; fail and clean up if it does not. Default: 0 (no wait)',
            ),
        cleanupPaths: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              "Folders to remove when this step fails: what this run created, i.e. steps['publish-local'].output.createdPaths. Only the repository's bare repository and clone are accepted. Default: none (the repository is left alone)",
            ),
      },
      output: {
        entityRef: z => z.string().describe('The registered entity'),
        catalogInfoPath: z => z.string().describe('The registered file'),
      },
    },
    async handler(ctx) {
      const {
        repoName,
        filePath = 'shuttle.yaml',
        waitSeconds = 0,
      } = ctx.input;
      const problem = dnsLabelProblem(repoName);
      if (problem) throw new InputError(problem);
      const dir = config.localGitDirectory;
      if (!dir) {
        throw new InputError(
          'lunar:catalog:register-file needs lunarScaffolder.localGitDirectory in app-config',
        );
      }
      const entityRef = ctx.input.entityRef ?? `component:default/${repoName}`;
      const { bare, workingCopy } = localRepoPaths(dir, repoName);
      const target = path.resolve(workingCopy, filePath);
      if (!target.startsWith(`${workingCopy}${path.sep}`)) {
        throw new InputError(`filePath ${filePath} is outside the repository`);
      }
      // Only what lunar:publish:local makes for this name may be removed, and
      // only when the template says this run made it.
      const cleanup = (ctx.input.cleanupPaths ?? []).map(p => path.resolve(p));
      for (const p of cleanup) {
        if (p !== bare && p !== workingCopy) {
          throw new InputError(
            `cleanupPaths may only list ${bare} and ${workingCopy} (what lunar:publish:local creates for ${repoName}), not ${p}`,
          );
        }
      }
      if (ctx.isDryRun) {
        ctx.output('entityRef', entityRef);
        ctx.output('catalogInfoPath', target);
        return;
      }

      const credentials = await ctx.getInitiatorCredentials();
      let stage = 'checking the file';
      let locationId: string | undefined;
      try {
        if (!fs.existsSync(target)) {
          throw new InputError(`${target} does not exist`);
        }
        stage = 'checking the file with the catalog (dry run)';
        const dry = await catalog.addLocation(
          { type: 'file', target, dryRun: true },
          { credentials },
        );
        const refs = dry.entities.map(e =>
          `${e.kind}:${e.metadata.namespace ?? 'default'}/${
            e.metadata.name
          }`.toLowerCase(),
        );
        if (!refs.includes(entityRef.toLowerCase())) {
          throw new InputError(
            `the file yields ${
              refs.join(', ') || 'no entities'
            }, not ${entityRef}`,
          );
        }
        stage = 'registering the location';
        const { location } = await catalog.addLocation(
          { type: 'file', target },
          { credentials },
        );
        locationId = location.id;
        ctx.logger.info(`Registered ${target} as location ${location.id}`);

        if (waitSeconds > 0) {
          stage = `waiting for ${entityRef} to appear in the catalog`;
          const deadline = Date.now() + waitSeconds * 1000;
          for (;;) {
            if (await catalog.getEntityByRef(entityRef, { credentials })) break;
            if (Date.now() > deadline || ctx.signal?.aborted) {
              throw new Error(`not in the catalog after ${waitSeconds}s`);
            }
            await sleep(500);
          }
        }
        ctx.output('entityRef', entityRef);
        ctx.output('catalogInfoPath', target);
      } catch (e: any) {
        if (locationId) {
          await catalog
            .removeLocationById(locationId, { credentials })
            .catch(() => {});
        }
        await removeAll(cleanup);
        const removed = [...(locationId ? ['the location'] : []), ...cleanup];
        const err = new Error(
          `lunar:catalog:register-file failed while ${stage}: ${errorMessage(
            e,
          )}; ${
            removed.length ? `removed ${removed.join(', ')}` : 'removed nothing'
          }${
            cleanup.length
              ? ''
              : ` (no cleanupPaths: ${workingCopy} was left in place)`
          }`,
        );
        err.name = e?.name ?? 'Error';
        throw err;
      }
    },
  });
}
