import { InputError, ConflictError } from '@backstage/errors';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { LunarScaffolderConfig } from '../config';
import { GitAuthor, runGit } from '@internal/plugin-lunar-node';
import { dnsLabelProblem, errorMessage, localRepoPaths } from '../names';

/**
 * `lunar:publish:local`: the local stand-in for `publish:github`. Makes a bare
 * repository `<localGitDirectory>/<repoName>.git` holding one commit of the
 * workspace on master, and a clone next to it (`<localGitDirectory>/<repoName>`)
 * for the catalog to read. Refuses names that exist; removes everything it
 * made when a step fails. `createdPaths` lists what this run made, for
 * `lunar:catalog:register-file`'s `cleanupPaths`.
 */
export function createPublishLocalAction(opts: {
  config: LunarScaffolderConfig;
}) {
  const { config } = opts;
  return createTemplateAction({
    id: 'lunar:publish:local',
    description:
      'Publishes the workspace to a new local bare git repository (local development)',
    supportsDryRun: true,
    schema: {
      input: {
        repoName: z => z.string().describe('Repository name (a DNS label)'),
        sourcePath: z =>
          z
            .string()
            .optional()
            .describe('Workspace folder to publish. Default: the workspace'),
        description: z =>
          z.string().optional().describe('Repository description'),
        gitCommitMessage: z =>
          z.string().optional().describe('Default: "Initial commit"'),
      },
      output: {
        remoteUrl: z => z.string().describe('file: URL of the bare repository'),
        repoPath: z => z.string().describe('Path of the bare repository'),
        workingCopyPath: z =>
          z.string().describe('Path of the clone the catalog reads'),
        commitHash: z => z.string().describe('The initial commit'),
        createdPaths: z =>
          z
            .array(z.string())
            .describe(
              'The folders this run created (bare repository and clone); pass them to lunar:catalog:register-file as cleanupPaths',
            ),
      },
    },
    async handler(ctx) {
      const { repoName, sourcePath, description, gitCommitMessage } = ctx.input;
      const problem = dnsLabelProblem(repoName);
      if (problem) throw new InputError(problem);
      const dir = config.localGitDirectory;
      if (!dir) {
        throw new InputError(
          'lunar:publish:local needs lunarScaffolder.localGitDirectory in app-config',
        );
      }
      const { bare, workingCopy } = localRepoPaths(dir, repoName);
      const source = resolveSafeChildPath(ctx.workspacePath, sourcePath ?? '.');
      const remoteUrl = pathToFileURL(bare).toString();

      if (ctx.isDryRun) {
        ctx.output('remoteUrl', remoteUrl);
        ctx.output('repoPath', bare);
        ctx.output('workingCopyPath', workingCopy);
        ctx.output('commitHash', '0000000000000000000000000000000000000000');
        ctx.output('createdPaths', [bare, workingCopy]);
        return;
      }

      const entity = ctx.user?.entity;
      const author: GitAuthor | undefined = entity
        ? {
            name: entity.spec?.profile?.displayName ?? entity.metadata.name,
            email:
              entity.spec?.profile?.email ??
              `${entity.metadata.name}@users.noreply.lunar.app`,
          }
        : undefined;

      await fs.mkdir(dir, { recursive: true });
      // mkdir without `recursive` claims the name atomically: a concurrent
      // run with the same name gets EEXIST instead of sharing the folder.
      try {
        await fs.mkdir(bare);
      } catch (e: any) {
        if (e?.code === 'EEXIST') {
          throw new ConflictError(
            `A repository named "${repoName}" already exists in the local git folder; nothing was changed`,
          );
        }
        throw e;
      }
      const created = [bare];
      let stage = 'creating the bare repository';
      try {
        await runGit(['init', '--quiet', '--bare', '--initial-branch=master'], {
          cwd: bare,
        });
        if (description) {
          await fs.writeFile(`${bare}/description`, `${description}\n`);
        }
        stage = 'copying the workspace';
        try {
          await fs.mkdir(workingCopy);
        } catch (e: any) {
          if (e?.code === 'EEXIST') {
            throw new ConflictError(
              `"${repoName}" already exists in the local git folder`,
            );
          }
          throw e;
        }
        created.push(workingCopy);
        await fs.cp(source, workingCopy, {
          recursive: true,
          filter: src => !src.split(/[\\/]/).includes('.git'),
        });
        stage = 'committing';
        await runGit(['init', '--quiet', '--initial-branch=master'], {
          cwd: workingCopy,
        });
        await runGit(['add', '--all'], { cwd: workingCopy });
        await runGit(
          ['commit', '--quiet', '-m', gitCommitMessage ?? 'Initial commit'],
          { cwd: workingCopy, author },
        );
        stage = 'pushing master';
        await runGit(['remote', 'add', 'origin', remoteUrl], {
          cwd: workingCopy,
        });
        await runGit(['push', '--quiet', '-u', 'origin', 'master'], {
          cwd: workingCopy,
        });
        const commitHash = await runGit(['rev-parse', 'HEAD'], {
          cwd: workingCopy,
        });
        ctx.logger.info(
          `Published ${repoName} to ${remoteUrl} (commit ${commitHash})`,
        );
        ctx.output('remoteUrl', remoteUrl);
        ctx.output('repoPath', bare);
        ctx.output('workingCopyPath', workingCopy);
        ctx.output('commitHash', commitHash);
        ctx.output('createdPaths', [...created]);
      } catch (e: any) {
        await removeAll(created);
        const err = new Error(
          `lunar:publish:local failed while ${stage}: ${errorMessage(
            e,
          )}; removed ${created.join(', ')}`,
        );
        err.name = e?.name ?? 'Error';
        throw err;
      }
    },
  });
}

/** Removes what a failed template run created; never throws. */
export async function removeAll(paths: string[]) {
  for (const p of paths) {
    await fs.rm(p, { recursive: true, force: true }).catch(() => {});
  }
}
