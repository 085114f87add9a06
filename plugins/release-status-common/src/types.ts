/** Where release facts come from. */
export type ReleaseSource = 'release-manager' | 'git';

/**
 * How a source answered for one service. `not-configured`: this
 * installation has no such source; `unknown-service`: the source does not
 * know the service (or its repository); `unreachable`: it could not be
 * asked (network, 5xx); `error`: it answered with an error (auth, 4xx).
 */
export interface SourceState {
  source: ReleaseSource;
  state: 'ok' | 'not-configured' | 'unknown-service' | 'unreachable' | 'error';
  /** What went wrong, for the user; absent when `ok`. */
  message?: string;
}

/** Why a release happened (release-manager's intent). */
export interface ReleaseIntent {
  /** ReleaseArtifact, ReleaseBranch, Promote, Rollback, AutoRelease, ... */
  type: string;
  /** ReleaseBranch, AutoRelease: the branch released from. */
  branch?: string;
  /** Promote: the environment promoted from. */
  fromEnvironment?: string;
  /** Rollback: the artifact rolled back from. */
  previousArtifactId?: string;
}

/** How far an environment is behind the default branch. */
export interface Drift {
  /** Commits on the default branch that the environment does not have. */
  commitsBehind: number;
  /** When the oldest of those was committed (ISO); null when up to date. */
  oldestUnreleasedAt: string | null;
  /** Where to see the commits, when the repository is on GitHub. */
  compareUrl?: string;
}

/** The release an environment had before its current one (release-manager's history). */
export interface PreviousRelease {
  /** The released commit (full sha); null when release-manager does not name it. */
  sha: string | null;
  artifactId: string | null;
  /** When it was released (ISO). */
  releasedAt: string | null;
}

/** What runs in one environment. */
export interface EnvironmentRelease {
  environment: string;
  /** The released commit (full sha); null when only the artifact is known. */
  sha: string | null;
  /** release-manager's artifact id, e.g. `master-1c1508405e-67e9d69164`. */
  artifactId: string | null;
  /** Link to the released commit, when the repository is on GitHub. */
  commitUrl: string | null;
  /** The commit's author. */
  author: string | null;
  /** The commit message's first line. */
  message: string | null;
  /** When the released commit was made (ISO). */
  committedAt: string | null;
  /** When it was released (ISO); from release-manager. */
  releasedAt: string | null;
  /** Who released it; from release-manager. */
  releasedBy: string | null;
  intent: ReleaseIntent | null;
  /** The CI build of the artifact. */
  buildUrl: string | null;
  /** Null when drift could not be computed; `driftError` says why. */
  drift: Drift | null;
  driftError?: string;
  /** The release before this one in the environment; null when none is known. */
  previous?: PreviousRelease | null;
  /**
   * What this release changed since `previous`: the repository's compare
   * page on GitHub; null for other repositories (local git: run
   * `git log <previous>..<sha>`) or when either commit is unknown.
   */
  compareUrl?: string | null;
}

/** release-manager's auto-release policy: a branch released automatically. */
export interface AutoReleasePolicy {
  id: string;
  branch: string;
  environment: string;
}

/** Release status of one catalog component. */
export interface ReleaseStatus {
  /** e.g. `component:default/card-clearing` */
  entityRef: string;
  /** The service name in release-manager. */
  service: string;
  /** The squad that owns the component, e.g. `group:default/squad-nasa`. */
  owner: string | null;
  /** The branch drift is measured against, e.g. `master`. */
  defaultBranch: string;
  /** The default branch's newest commit, when the repository is known. */
  head: { sha: string; committedAt: string } | null;
  /** One row per environment the service is released to, in promotion order. */
  environments: EnvironmentRelease[];
  autoReleasePolicies: AutoReleasePolicy[];
  sources: SourceState[];
  /** When these facts were gathered (ISO); for a pending status, when it was answered. */
  generatedAt: string;
  /**
   * When the stored status was computed by the refresh (ISO); null while
   * the component is pending (not computed yet). Absent only from older
   * backends.
   */
  computedAt?: string | null;
  /** How fresh the answer is. Absent only from older backends. */
  freshness?: ReleaseStatusFreshness;
}

/**
 * How fresh a release status is: statuses are computed ahead by a
 * scheduled refresh and answered from the database.
 */
export interface ReleaseStatusFreshness {
  /**
   * `computed`: the refresh's last result; `pending`: not computed yet (a
   * refresh of the component has been started; ask again shortly).
   */
  state: 'computed' | 'pending';
  /** When a refresh last looked at the component (found it unchanged or recomputed it). */
  checkedAt: string | null;
  /**
   * Why the last refresh of the component failed (the status is then the
   * one before), or which source failed in it.
   */
  lastError?: string;
  /** When `lastError` happened (ISO). */
  lastErrorAt?: string;
}

/** GET /overview: the release status of many components. */
export interface ReleaseOverview {
  /** The configured environments, in promotion order. */
  environments: string[];
  /** Sorted by worst drift first. */
  items: ReleaseStatus[];
}

/** Thresholds that colour a drift badge; either limit reached counts. */
export interface DriftThresholds {
  warning: { commits: number; days: number };
  error: { commits: number; days: number };
}
