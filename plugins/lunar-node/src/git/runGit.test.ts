import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runGit } from './runGit';

describe('runGit', () => {
  let dir: string;
  const saved = { ...process.env };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lunar-run-git-'));
  });
  afterEach(() => {
    process.env = { ...saved };
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('commits as the given author at the given date', async () => {
    await runGit(['init', '-q', '-b', 'master'], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'README.md'), 'hello\n');
    await runGit(['add', '-A'], { cwd: dir });
    await runGit(['commit', '-q', '-m', 'First'], {
      cwd: dir,
      author: { name: 'Ada Holm', email: 'ada@lunar.example' },
      date: '2026-01-02T03:04:05Z',
    });
    expect(
      await runGit(['log', '-1', '--format=%an <%ae>|%cn|%cI|%s'], {
        cwd: dir,
      }),
    ).toBe(
      'Ada Holm <ada@lunar.example>|Ada Holm|2026-01-02T03:04:05+00:00|First',
    );
  });

  it('commits as the portal when no author is given', async () => {
    await runGit(['init', '-q'], { cwd: dir });
    await runGit(['commit', '-q', '--allow-empty', '-m', 'Empty'], {
      cwd: dir,
    });
    expect(
      await runGit(['log', '-1', '--format=%an <%ae>'], { cwd: dir }),
    ).toBe('Lunar developer portal <developer-portal@lunar.app>');
  });

  it("never reads the machine's git configuration", async () => {
    const config = path.join(dir, 'leaky.gitconfig');
    fs.writeFileSync(config, '[alias]\n\tleak = !echo leaked\n');
    process.env.GIT_CONFIG_GLOBAL = config;
    await runGit(['init', '-q'], { cwd: dir });
    await expect(runGit(['leak'], { cwd: dir })).rejects.toThrow(
      /not a git command/,
    );
  });
});
