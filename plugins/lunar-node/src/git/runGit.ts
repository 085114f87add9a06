import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Who a commit is by. */
export interface GitAuthor {
  name: string;
  email: string;
}

/** Where and as whom {@link runGit} runs. */
export interface RunGitOptions {
  /** The working directory; also git's HOME. */
  cwd: string;
  /** Author and committer; by default the portal itself. */
  author?: GitAuthor;
  /** Author and committer date (ISO 8601); by default now. */
  date?: string;
}

const PORTAL: GitAuthor = {
  name: 'Lunar developer portal',
  email: 'developer-portal@lunar.app',
};

/**
 * Runs git hermetically and returns its trimmed standard output: no user or
 * system configuration (hooks, signing, default branch, aliases, credential
 * helpers), no terminal prompt, a fixed author and committer, and nothing
 * else from this process's environment but PATH. The machine's settings
 * never change what a template produces or what a test repository holds.
 */
export async function runGit(
  args: string[],
  options: RunGitOptions,
): Promise<string> {
  const author = options.author ?? PORTAL;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: options.cwd,
    GIT_CONFIG_GLOBAL: os.devNull,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
  if (options.date) {
    env.GIT_AUTHOR_DATE = options.date;
    env.GIT_COMMITTER_DATE = options.date;
  }
  const { stdout } = await execFileAsync('git', args, {
    cwd: options.cwd,
    env,
    maxBuffer: 10 * 1024 * 1024,
  });
  return stdout.trim();
}
