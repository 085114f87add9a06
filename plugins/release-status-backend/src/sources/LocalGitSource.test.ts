import fs from 'node:fs';
import path from 'node:path';
import { LocalGitSource } from './LocalGitSource';
import { SourceError } from './types';
import { makeGitRepo, tempDir } from '../__testUtils__/gitRepo';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Math.floor(Date.now() / 1000) * 1000; // git dates have seconds

describe('LocalGitSource', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  beforeAll(async () => {
    await makeGitRepo(
      tmp.dir,
      'card-clearing',
      [
        { ageMs: 20 * DAY, tags: ['prod'], message: 'Create card-clearing' },
        { ageMs: 13 * DAY },
        { ageMs: 9 * DAY, tags: ['staging'] },
        { ageMs: 3 * DAY },
        { ageMs: 2 * HOUR, tags: ['dev'], author: 'Bo Lindqvist' },
        { ageMs: HOUR, message: 'Tighten timeouts\n\nWith a body.' },
      ],
      { now },
    );
    await makeGitRepo(tmp.dir, 'bare-lib.git', [{ ageMs: DAY }], {
      branch: 'main',
      now,
    });
  });

  it('reads each environment tag and counts the commits behind', async () => {
    const facts = await new LocalGitSource(tmp.dir).read(
      { name: 'card-clearing' },
      ['dev', 'staging', 'prod', 'sandbox'],
    );
    expect(facts!.defaultBranch).toBe('master');
    expect(facts!.head).toMatchObject({
      message: 'Tighten timeouts',
      committedAt: new Date(now - HOUR).toISOString(),
    });
    const drift = (env: string) => facts!.environments.get(env)?.drift;
    expect(drift('prod')).toEqual({
      commitsBehind: 5,
      oldestUnreleasedAt: new Date(now - 13 * DAY).toISOString(),
    });
    expect(drift('staging')).toEqual({
      commitsBehind: 3,
      oldestUnreleasedAt: new Date(now - 3 * DAY).toISOString(),
    });
    expect(drift('dev')).toEqual({
      commitsBehind: 1,
      oldestUnreleasedAt: new Date(now - HOUR).toISOString(),
    });
    expect(facts!.environments.get('dev')!.commit).toMatchObject({
      author: 'Bo Lindqvist',
      committedAt: new Date(now - 2 * HOUR).toISOString(),
    });
    expect(facts!.environments.get('prod')!.commit.message).toBe(
      'Create card-clearing',
    );
    // No tag: not released there.
    expect(facts!.environments.has('sandbox')).toBe(false);
  });

  it('finds `<name>.git`, uses its branch, and reports no environments', async () => {
    const facts = await new LocalGitSource(tmp.dir).read({ name: 'bare-lib' }, [
      'prod',
    ]);
    expect(facts!.defaultBranch).toBe('main');
    expect(facts!.environments.size).toBe(0);
  });

  it('measures against a configured branch', async () => {
    await expect(
      new LocalGitSource(tmp.dir, 'develop').read({ name: 'card-clearing' }, [
        'prod',
      ]),
    ).rejects.toThrow(/develop/);
  });

  it('does not know repositories outside its folder', async () => {
    const source = new LocalGitSource(tmp.dir);
    expect(await source.read({ name: 'unknown' }, ['prod'])).toBeUndefined();
    expect(await source.read({ name: '../..' }, ['prod'])).toBeUndefined();
    expect(await source.read({ name: '.git' }, ['prod'])).toBeUndefined();
  });

  it('never reads a repository around a folder that is not one', async () => {
    // Like `.local/example-git` inside the portal's own checkout: the
    // folder sits in a git repository, one of its folders is not one.
    const portal = await makeGitRepo(tmp.dir, 'portal', [
      { ageMs: DAY, tags: ['prod'], message: 'The portal itself' },
    ]);
    const local = path.join(portal, '.local', 'example-git');
    fs.mkdirSync(path.join(local, 'plain'), { recursive: true });
    await makeGitRepo(local, 'term-deposit', [{ ageMs: HOUR, tags: ['prod'] }]);
    const source = new LocalGitSource(local);

    const error = await source.read({ name: 'plain' }, ['prod']).catch(e => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ state: 'error' });
    expect(error.message).toBe(
      "'plain' in releaseStatus.git.localDirectory is not a git repository",
    );
    // A real repository in the same folder is still its own.
    const facts = await source.read({ name: 'term-deposit' }, ['prod']);
    expect(facts!.head.message).not.toBe('The portal itself');
    expect(facts!.environments.get('prod')!.drift.commitsBehind).toBe(0);
  });
});
