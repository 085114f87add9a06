import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Who a commit is by. */
export interface GitAuthor {
  name: string;
  email: string;
}

/**
 * Runs git with no user or system configuration, so the machine's settings
 * (hooks, signing, default branch, credential helpers) never change what a
 * template produces.
 */
export async function git(
  args: string[],
  opts: { cwd: string; author?: GitAuthor },
): Promise<string> {
  const author = opts.author ?? {
    name: 'Lunar developer portal',
    email: 'developer-portal@lunar.app',
  };
  const { stdout } = await execFileAsync('git', args, {
    cwd: opts.cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: opts.cwd,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    },
    maxBuffer: 10 * 1024 * 1024,
  });
  return stdout.trim();
}
