import {
  EnvironmentRelease,
  ReleaseStatus,
} from '@internal/plugin-release-status-common';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A released environment, `commitsBehind` commits (`ageMs` old) behind. */
export function env(
  environment: string,
  sha: string,
  commitsBehind: number,
  ageMs = 0,
  extra: Partial<EnvironmentRelease> = {},
): EnvironmentRelease {
  return {
    environment,
    sha: sha.padEnd(40, '0'),
    artifactId: null,
    commitUrl: null,
    author: 'Ada Holm',
    message: `Commit ${sha}`,
    committedAt: new Date(Date.now() - ageMs - HOUR).toISOString(),
    releasedAt: null,
    releasedBy: null,
    intent: null,
    buildUrl: null,
    drift: {
      commitsBehind,
      oldestUnreleasedAt: commitsBehind
        ? new Date(Date.now() - ageMs).toISOString()
        : null,
    },
    ...extra,
  };
}

/** card-clearing: 7 commits (13 days) behind in prod, dev ahead. */
export function status(partial: Partial<ReleaseStatus> = {}): ReleaseStatus {
  return {
    entityRef: 'component:default/card-clearing',
    service: 'card-clearing',
    owner: 'group:default/squad-gemini',
    defaultBranch: 'master',
    head: null,
    environments: [
      env('dev', 'd1', 1, HOUR + 60_000, {
        artifactId: 'master-d100000000-67e9d69164',
        releasedBy: 'Bo Lindqvist',
        releasedAt: new Date(Date.now() - HOUR).toISOString(),
        intent: { type: 'AutoRelease' },
      }),
      env('staging', 'b2', 4, 3 * DAY + HOUR),
      env('prod', 'a3', 7, 13 * DAY + HOUR, {
        intent: { type: 'Promote', fromEnvironment: 'staging' },
        commitUrl: 'https://github.com/lunarway/card-clearing/commit/a3',
      }),
    ],
    autoReleasePolicies: [
      { id: 'auto-master-dev', branch: 'master', environment: 'dev' },
    ],
    sources: [
      { source: 'release-manager', state: 'ok' },
      { source: 'git', state: 'ok' },
    ],
    generatedAt: new Date().toISOString(),
    ...partial,
  };
}
