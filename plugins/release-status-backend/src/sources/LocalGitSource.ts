import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  GitCommit,
  GitFacts,
  GitSource,
  RepositoryRef,
  SourceError,
} from './types';

const exec = promisify(execFile);

/**
 * Drift from real git repositories in one folder (`<directory>/<name>` or
 * `<directory>/<name>.git`): release-manager tags each environment's
 * released commit, so drift is `git rev-list --count <env>..<branch>`.
 * Only the folder itself is read as a repository, never one around it.
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

  async version(
    repo: RepositoryRef,
    environments: string[],
  ): Promise<string | undefined> {
    const git = await this.open(repo);
    if (!git) return undefined;
    // The branch and the environment tags with the commits they point to.
    const branch = this.defaultBranch ?? (await headBranch(git));
    const refs = await git(
      'for-each-ref',
      '--format=%(refname) %(objectname) %(*objectname)',
      `refs/heads/${branch}`,
      ...environments.map(e => `refs/tags/${e}`),
    );
    return `${branch}\n${refs}`;
  }

  async read(
    repo: RepositoryRef,
    environments: string[],
  ): Promise<GitFacts | undefined> {
    const git = await this.open(repo);
    if (!git) return undefined;
    const branch = this.defaultBranch ?? (await headBranch(git));
    const head = await commit(git, `refs/heads/${branch}`);
    const tags = new Set(
      (await git('tag', '--list')).split('\n').filter(Boolean),
    );
    const facts: GitFacts = {
      defaultBranch: branch,
      webUrl: null,
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

  /** Runs git in the repository's folder; undefined when there is none. */
  private async open(repo: RepositoryRef): Promise<Git | undefined> {
    const dir = await this.locate(repo.name);
    if (!dir) return undefined;
    const env = gitEnvironment(dir);
    const git = async (...args: string[]) =>
      (
        await exec('git', args, {
          cwd: dir,
          env,
          maxBuffer: 16 * 1024 * 1024,
        })
      ).stdout;
    // The folder itself must be the repository: git stops at its parent.
    try {
      await git('rev-parse', '--git-dir');
    } catch {
      throw new SourceError(
        `'${path.basename(
          dir,
        )}' in releaseStatus.git.localDirectory is not a git repository`,
        'error',
      );
    }
    return git;
  }

  private async locate(name: string): Promise<string | undefined> {
    // Names come from the catalog: never let one leave the folder.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return undefined;
    for (const candidate of [name, `${name}.git`]) {
      const dir = path.join(this.directory, candidate);
      try {
        // The real path, so git's ceiling below compares like with like.
        if ((await fs.stat(dir)).isDirectory()) return await fs.realpath(dir);
      } catch {
        // not this one
      }
    }
    return undefined;
  }
}

type Git = (...args: string[]) => Promise<string>;

/**
 * Git's environment for the repository `dir`. Git looks for a repository
 * in the parent folders of one that is not: `localDirectory` sits inside
 * the portal's own checkout locally, so a plain folder there would read the
 * portal's history. `GIT_CEILING_DIRECTORIES` stops that search at `dir`'s
 * parent, and an inherited `GIT_DIR`/`GIT_WORK_TREE` cannot point elsewhere.
 */
function gitEnvironment(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_CEILING_DIRECTORIES: path.dirname(dir),
  };
  delete env.GIT_DIR;
  delete env.GIT_WORK_TREE;
  return env;
}

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
