import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A commit to make: how long ago, and the tags to put on it. */
export interface TestCommit {
  ageMs: number;
  tags?: string[];
  author?: string;
  message?: string;
}

/**
 * Makes a real git repository `<parent>/<name>` on `branch` with one commit
 * per entry (oldest first) and returns its path.
 */
export function makeGitRepo(
  parent: string,
  name: string,
  commits: TestCommit[],
  options: { branch?: string; now?: number } = {},
): string {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir, { recursive: true });
  const now = options.now ?? Date.now();
  const git = (args: string[], date: string, author = 'Ada Holm') =>
    execFileSync('git', args, {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: author,
        GIT_AUTHOR_EMAIL: 'dev@lunar.example',
        GIT_COMMITTER_NAME: author,
        GIT_COMMITTER_EMAIL: 'dev@lunar.example',
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
        GIT_CONFIG_GLOBAL: os.devNull,
        GIT_CONFIG_NOSYSTEM: '1',
      },
    });
  const start = new Date(now).toISOString();
  git(['init', '-q', '-b', options.branch ?? 'master'], start);
  commits.forEach((c, i) => {
    const date = new Date(now - c.ageMs).toISOString();
    fs.writeFileSync(path.join(dir, 'CHANGELOG.md'), `change ${i}\n`, {
      flag: 'a',
    });
    git(['add', '-A'], date);
    git(['commit', '-q', '-m', c.message ?? `Change ${i}`], date, c.author);
    for (const tag of c.tags ?? []) git(['tag', tag], date);
  });
  return dir;
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-status-'));
  return {
    dir,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
