import { runGit } from '@internal/plugin-lunar-node';
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
 * per entry (oldest first) and returns its path. Git runs hermetically
 * (lunar-node's runGit): the machine's git configuration never leaks in.
 */
export async function makeGitRepo(
  parent: string,
  name: string,
  commits: TestCommit[],
  options: { branch?: string; now?: number } = {},
): Promise<string> {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir, { recursive: true });
  const now = options.now ?? Date.now();
  const git = (args: string[], date: string, author = 'Ada Holm') =>
    runGit(args, {
      cwd: dir,
      author: { name: author, email: 'dev@lunar.example' },
      date,
    });
  const start = new Date(now).toISOString();
  await git(['init', '-q', '-b', options.branch ?? 'master'], start);
  for (const [i, c] of commits.entries()) {
    const date = new Date(now - c.ageMs).toISOString();
    fs.writeFileSync(path.join(dir, 'CHANGELOG.md'), `change ${i}\n`, {
      flag: 'a',
    });
    await git(['add', '-A'], date);
    await git(
      ['commit', '-q', '-m', c.message ?? `Change ${i}`],
      date,
      c.author,
    );
    for (const tag of c.tags ?? []) await git(['tag', tag], date);
  }
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
