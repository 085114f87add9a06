import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  EnvironmentRelease,
  ReleaseStatus,
  releaseLabel,
} from '@internal/plugin-release-status-common';
import { serviceEntityRef } from './squads';

/**
 * The release running in an environment, as release-status knows it: the
 * part of its EnvironmentRelease the alerts use.
 */
export type EnvironmentReleaseFact = Pick<
  EnvironmentRelease,
  'sha' | 'artifactId' | 'releasedAt' | 'commitUrl' | 'previous' | 'compareUrl'
>;

/** Where the alerts learn which release runs where. */
export interface ReleaseLookup {
  /** The release of the service in the environment now; null if none is known. */
  current(
    service: string,
    environment: string,
  ): Promise<EnvironmentReleaseFact | null>;
}

/** A release that reached the environment shortly before an incident's first failure. */
export interface SuspectedRelease {
  /** `9f3c2a1` (short sha), else the artifact id. */
  label: string;
  /** Whole minutes from the release to the first failure. */
  minutesBefore: number;
  /**
   * Where to see what it changed: the compare from the release before it
   * (GitHub), else its commit; null if nothing is known.
   */
  link: string | null;
  /**
   * How to list its changes in a local repository, when there is no
   * compare page but both commits are known: `git log --oneline a..b`.
   */
  gitLog: string | null;
  /** `first seen 4 min after 9f3c2a1 reached prod` */
  sentence: string;
}

/**
 * The release suspected of an incident: the last release of the service to
 * the environment before the first failure, when it reached it at most
 * `windowMinutes` before. release-status knows the current release and the
 * one before it, so when the current one came after the first failure (a
 * fix, a rollback), the one before is the suspect.
 */
export function suspectedRelease(
  release: EnvironmentReleaseFact | null,
  incident: { environment: string; firstSeenAt: string },
  windowMinutes: number,
): SuspectedRelease | null {
  if (!release) return null;
  const firstSeen = new Date(incident.firstSeenAt).getTime();
  const gapOf = (releasedAt: string | null | undefined) =>
    releasedAt ? firstSeen - new Date(releasedAt).getTime() : NaN;
  const current = gapOf(release.releasedAt);
  // Released after the first failure: the release before it is the one
  // that ran when the failures began (what it changed is not linked).
  const before = current < 0 ? release.previous : null;
  const suspect = before ?? release;
  const gapMs = before ? gapOf(before.releasedAt) : current;
  const link = before ? null : release.compareUrl ?? release.commitUrl;
  const gitLog = before ? null : gitLogHint(release);
  const label = releaseLabel(suspect);
  if (!label) return null;
  if (Number.isNaN(gapMs) || gapMs < 0 || gapMs > windowMinutes * 60_000)
    return null;
  const minutesBefore = Math.floor(gapMs / 60_000);
  return {
    label,
    minutesBefore,
    link,
    gitLog,
    sentence: `first seen ${minutesBefore} min after ${label} reached ${incident.environment}`,
  };
}

/**
 * How to list a release's changes in a local repository when there is no
 * compare page but both commits are known: `git log --oneline a..b`.
 */
function gitLogHint(release: EnvironmentReleaseFact): string | null {
  const { previous } = release;
  if (release.compareUrl || !previous?.sha || !release.sha) return null;
  if (previous.sha === release.sha) return null;
  return `git log --oneline ${releaseLabel(previous)}..${releaseLabel(
    release,
  )}`;
}

/**
 * Asks the release-status backend over HTTP (discovery, a service token
 * for `release-status`): no cross-plugin database reads. A service or
 * environment it does not know, or a failed call, is no release (logged).
 */
export class ReleaseStatusLookup implements ReleaseLookup {
  constructor(
    private readonly deps: {
      discovery: DiscoveryService;
      auth: AuthService;
      logger: LoggerService;
    },
  ) {}

  async current(
    service: string,
    environment: string,
  ): Promise<EnvironmentReleaseFact | null> {
    const { discovery, auth, logger } = this.deps;
    try {
      const base = await discovery.getBaseUrl('release-status');
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'release-status',
      });
      const entityRef = serviceEntityRef(service);
      const res = await fetch(
        `${base}/status?${new URLSearchParams({ entityRef })}`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`release-status answered ${res.status}`);
      const body = (await res.json()) as ReleaseStatus;
      const found = body.environments?.find(e => e.environment === environment);
      return found
        ? {
            sha: found.sha ?? null,
            artifactId: found.artifactId ?? null,
            releasedAt: found.releasedAt ?? null,
            commitUrl: found.commitUrl ?? null,
            previous: found.previous ?? null,
            compareUrl: found.compareUrl ?? null,
          }
        : null;
    } catch (e) {
      logger.warn(
        `dead-letter alerts: no release of ${service} in ${environment} from release-status: ${e}`,
      );
      return null;
    }
  }
}
