import { Config } from '@backstage/config';

export interface ReleaseStatusConfig {
  environments: string[];
  releaseManager?: { baseUrl: string; token: string; timeoutMs: number };
  git: { localDirectory?: string; githubHost: string; defaultBranch?: string };
  refresh: {
    /** Between scheduled refreshes of every component. */
    frequencySeconds: number;
    /** Components computed at once by a refresh. */
    concurrency: number;
    /** A component unchanged by its fingerprint is recomputed after this anyway. */
    maxAgeSeconds: number;
    /** A release-manager event recomputes its service after this delay. */
    releaseEventDelaySeconds: number;
  };
}

/**
 * `git.localDirectory`; an empty string means none, so a layered config
 * (production over app-config.yaml) can switch local repositories off.
 */
function optionalPath(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new Error('releaseStatus.git.localDirectory must be a string');
  }
  return value;
}

/** Reads `releaseStatus` with its defaults; bad values fail at start-up. */
export function readReleaseStatusConfig(root: Config): ReleaseStatusConfig {
  const config = root.getOptionalConfig('releaseStatus');
  const environments = config?.getOptionalStringArray('environments') ?? [
    'dev',
    'staging',
    'prod',
  ];
  if (!environments.length) {
    throw new Error(
      'releaseStatus.environments must name at least one environment',
    );
  }
  for (const env of environments) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(env)) {
      throw new Error(
        `releaseStatus.environments: '${env}' is not a valid environment (tag) name`,
      );
    }
  }
  const rm = config?.getOptionalConfig('releaseManager');
  const positive = (key: string, fallback: number) => {
    const value = config?.getOptionalNumber(key) ?? fallback;
    if (!(value > 0)) {
      throw new Error(`releaseStatus.${key} must be a positive number`);
    }
    return value;
  };
  const delay = config?.getOptionalNumber('refresh.releaseEventDelaySeconds');
  if (delay !== undefined && !(delay >= 0)) {
    throw new Error(
      'releaseStatus.refresh.releaseEventDelaySeconds must be zero or more',
    );
  }
  const refresh = {
    frequencySeconds: positive('refresh.frequencySeconds', 300),
    concurrency: Math.floor(positive('refresh.concurrency', 4)) || 1,
    maxAgeSeconds: positive('refresh.maxAgeSeconds', 3600),
    releaseEventDelaySeconds: delay ?? 5,
  };
  return {
    environments,
    releaseManager: rm && {
      baseUrl: rm.getString('baseUrl').replace(/\/+$/, ''),
      token: rm.getString('token'),
      timeoutMs: rm.getOptionalNumber('timeoutMs') ?? 10_000,
    },
    git: {
      localDirectory: optionalPath(config?.getOptional('git.localDirectory')),
      githubHost: config?.getOptionalString('git.githubHost') ?? 'github.com',
      defaultBranch: config?.getOptionalString('git.defaultBranch'),
    },
    refresh,
  };
}
