import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { GitCommit, GitFacts, GitSource, RepositoryRef } from './types';

const exec = promisify(execFile);

/**
 * Drift from real git repositories in one folder (`<directory>/<name>` or
 * `<directory>/<name>.git`): release-manager tags each environment's
 * released commit, so drift is `git rev-list --count <env>..<branch>`.
 */
export class LocalGitSource implements GitSource {
  readonly kind = 'local';

  constructor(
    private readonly directory: string,
    private readonly defaultBranch?: string,
  ) {}

  handles(): boolean {
    return true;
  }

  async read(
    repo: RepositoryRef,
    environments: string[],
  ): Promise<GitFacts | undefined> {
    const dir = await this.locate(repo.name);
    if (!dir) return undefined;
    const git = async (...args: string[]) =>
      (await exec('git', args, { cwd: dir, maxBuffer: 16 * 1024 * 1024 }))
        .stdout;

    const branch = this.defaultBranch ?? (await headBranch(git));
    const head = await commit(git, `refs/heads/${branch}`);
    const tags = new Set(
      (await git('tag', '--list')).split('\n').filter(Boolean),
    );
    const facts: GitFacts = {
      defaultBranch: branch,
      head,
      environments: new Map(),
    };
    for (const environment of environments) {
      if (!tags.has(environment)) continue;
      const released = await commit(git, `refs/tags/${environment}`);
      // Commits on the branch the environment does not have, oldest first.
      const behind = (
        await git(
          'log',
          '--reverse',
          '--format=%cI',
          `${released.sha}..${head.sha}`,
        )
      )
        .split('\n')
        .filter(Boolean);
      facts.environments.set(environment, {
        commit: released,
        drift: {
          commitsBehind: behind.length,
          oldestUnreleasedAt: behind.length
            ? new Date(behind[0]).toISOString()
            : null,
        },
      });
    }
    return facts;
  }

  private async locate(name: string): Promise<string | undefined> {
    // Names come from the catalog: never let one leave the folder.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return undefined;
    for (const candidate of [name, `${name}.git`]) {
      const dir = path.join(this.directory, candidate);
      try {
        if ((await fs.stat(dir)).isDirectory()) return dir;
      } catch {
        // not this one
      }
    }
    return undefined;
  }
}

type Git = (...args: string[]) => Promise<string>;

async function headBranch(git: Git): Promise<string> {
  const ref = (await git('symbolic-ref', '--short', 'HEAD')).trim();
  return ref || 'master';
}

async function commit(git: Git, ref: string): Promise<GitCommit> {
  const [sha, author, committedAt, message] = (
    await git(
      'show',
      '-s',
      '--format=%H%x00%an%x00%cI%x00%s',
      `${ref}^{commit}`,
    )
  )
    .trim()
    .split('\0');
  return {
    sha,
    author,
    committedAt: new Date(committedAt).toISOString(),
    message,
    url: null,
  };
}
