import { Drift, DriftThresholds, ReleaseStatus } from './types';

/** Default thresholds: a week or 10 commits warns, a month or 30 is bad. */
export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = {
  warning: { commits: 10, days: 7 },
  error: { commits: 30, days: 30 },
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Age of the oldest unreleased commit in ms (0 when up to date). */
export function driftAge(drift: Drift, now = Date.now()): number {
  if (!drift.oldestUnreleasedAt) return 0;
  return Math.max(0, now - Date.parse(drift.oldestUnreleasedAt));
}

function plural(n: number, unit: string) {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** "5 minutes", "1 hour", "13 days". */
export function formatAge(ms: number): string {
  if (ms < HOUR) return plural(Math.max(1, Math.floor(ms / 60_000)), 'minute');
  if (ms < 2 * DAY) return plural(Math.floor(ms / HOUR), 'hour');
  return plural(Math.floor(ms / DAY), 'day');
}

/** "7 commits (13 days) behind master", or "up to date with master". */
export function formatDrift(
  drift: Drift,
  branch: string,
  now = Date.now(),
): string {
  if (drift.commitsBehind === 0) return `up to date with ${branch}`;
  return `${plural(drift.commitsBehind, 'commit')} (${formatAge(
    driftAge(drift, now),
  )}) behind ${branch}`;
}

/** How bad a drift is against the thresholds. */
export function driftSeverity(
  drift: Drift,
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
  now = Date.now(),
): 'ok' | 'warning' | 'error' {
  if (drift.commitsBehind === 0) return 'ok';
  const days = driftAge(drift, now) / DAY;
  const reached = (limit: { commits: number; days: number }) =>
    drift.commitsBehind >= limit.commits || days >= limit.days;
  if (reached(thresholds.error)) return 'error';
  if (reached(thresholds.warning)) return 'warning';
  return 'ok';
}

/**
 * A sortable measure of how far behind `environment` is: commits behind,
 * ties broken by age. Unknown drift (or not released there) sorts last.
 */
export function driftScore(
  status: ReleaseStatus,
  environment: string,
  now = Date.now(),
): number {
  const drift = status.environments.find(
    e => e.environment === environment,
  )?.drift;
  if (!drift) return -1;
  return drift.commitsBehind * 1e12 + driftAge(drift, now) / 1000;
}

/**
 * The environments where a commit runs that `environment` does not yet run:
 * "in dev, not yet in prod".
 */
export function aheadOf(status: ReleaseStatus, environment: string): string[] {
  const target = status.environments.find(e => e.environment === environment);
  return status.environments
    .filter(
      e =>
        e.environment !== environment &&
        e.sha !== null &&
        e.sha !== target?.sha &&
        // Ahead means less drift than the target (or the target not released).
        (!target?.drift ||
          (e.drift !== null &&
            e.drift.commitsBehind < target.drift.commitsBehind)),
    )
    .map(e => e.environment);
}
