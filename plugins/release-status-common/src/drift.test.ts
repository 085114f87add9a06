import {
  aheadOf,
  driftScore,
  driftSeverity,
  formatAge,
  formatDrift,
} from './drift';
import { EnvironmentRelease, ReleaseStatus } from './types';

const now = Date.parse('2026-11-22T12:00:00Z');
const ago = (ms: number) => new Date(now - ms).toISOString();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function env(
  environment: string,
  sha: string | null,
  commitsBehind?: number,
  age = 0,
): EnvironmentRelease {
  return {
    environment,
    sha,
    artifactId: null,
    commitUrl: null,
    author: null,
    message: null,
    committedAt: null,
    releasedAt: null,
    releasedBy: null,
    intent: null,
    buildUrl: null,
    drift:
      commitsBehind === undefined
        ? null
        : {
            commitsBehind,
            oldestUnreleasedAt: commitsBehind ? ago(age) : null,
          },
  };
}

function status(environments: EnvironmentRelease[]): ReleaseStatus {
  return {
    entityRef: 'component:default/card-clearing',
    service: 'card-clearing',
    owner: 'group:default/squad-gemini',
    defaultBranch: 'master',
    head: null,
    environments,
    autoReleasePolicies: [],
    sources: [],
    generatedAt: ago(0),
  };
}

describe('drift', () => {
  it('says it the way developers asked for it', () => {
    expect(
      formatDrift(
        { commitsBehind: 1, oldestUnreleasedAt: ago(HOUR + 5) },
        'master',
        now,
      ),
    ).toBe('1 commit (1 hour) behind master');
    expect(
      formatDrift(
        { commitsBehind: 7, oldestUnreleasedAt: ago(13 * DAY + HOUR) },
        'master',
        now,
      ),
    ).toBe('7 commits (13 days) behind master');
    expect(
      formatDrift({ commitsBehind: 0, oldestUnreleasedAt: null }, 'main', now),
    ).toBe('up to date with main');
    expect(formatAge(30_000)).toBe('1 minute');
    expect(formatAge(47 * HOUR)).toBe('47 hours');
    expect(formatAge(2 * DAY)).toBe('2 days');
  });

  it('colours by commits or age, whichever is reached first', () => {
    const t = {
      warning: { commits: 5, days: 3 },
      error: { commits: 20, days: 14 },
    };
    const d = (commitsBehind: number, age: number) => ({
      commitsBehind,
      oldestUnreleasedAt: ago(age),
    });
    expect(driftSeverity(d(0, 0), t, now)).toBe('ok');
    expect(driftSeverity(d(4, 2 * DAY), t, now)).toBe('ok');
    expect(driftSeverity(d(5, HOUR), t, now)).toBe('warning');
    expect(driftSeverity(d(1, 3 * DAY), t, now)).toBe('warning');
    expect(driftSeverity(d(20, HOUR), t, now)).toBe('error');
    expect(driftSeverity(d(1, 15 * DAY), t, now)).toBe('error');
  });

  it('sorts by commits behind, then age, unknown last', () => {
    const a = status([env('prod', 'a', 7, DAY)]);
    const b = status([env('prod', 'b', 7, 2 * DAY)]);
    const c = status([env('prod', 'c', 1, 30 * DAY)]);
    const unknown = status([env('prod', 'd')]);
    const unreleased = status([env('dev', 'e', 0)]);
    const sorted = [c, unknown, a, unreleased, b].sort(
      (x, y) => driftScore(y, 'prod', now) - driftScore(x, 'prod', now),
    );
    expect(sorted.map(s => s.environments[0].sha)).toEqual([
      'b',
      'a',
      'c',
      'd',
      'e',
    ]);
  });

  it('finds what runs in dev but not yet in prod', () => {
    expect(
      aheadOf(
        status([
          env('dev', 'x', 0),
          env('staging', 'y', 2),
          env('prod', 'y', 2),
        ]),
        'prod',
      ),
    ).toEqual(['dev']);
    expect(
      aheadOf(status([env('dev', 'x', 0), env('prod', 'x', 0)]), 'prod'),
    ).toEqual([]);
    // Not in prod at all: everything released elsewhere is ahead.
    expect(aheadOf(status([env('dev', 'x', 0)]), 'prod')).toEqual(['dev']);
  });
});
