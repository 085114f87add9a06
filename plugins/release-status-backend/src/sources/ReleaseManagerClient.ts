import {
  AutoReleasePolicy,
  PreviousRelease,
  ReleaseIntent,
} from '@internal/plugin-release-status-common';
import { SourceError } from './types';

/** What release-manager says runs in one environment. */
export interface ReleaseManagerEnvironment {
  artifactId: string;
  /** The application commit, when release-manager names it in full. */
  sha: string | null;
  author: string | null;
  message: string | null;
  committedAt: string | null;
  buildUrl: string | null;
  releasedAt: string | null;
  releasedBy: string | null;
  intent: ReleaseIntent | null;
  /** The release before, from the environment's history; null if none. */
  previous: PreviousRelease | null;
}

export interface ReleaseManagerFacts {
  environments: Map<string, ReleaseManagerEnvironment>;
  policies: AutoReleasePolicy[];
}

/** A release-manager to ask; `undefined` from facts: unknown service. */
export interface ReleaseManagerSource {
  facts(
    service: string,
    environments: string[],
  ): Promise<ReleaseManagerFacts | undefined>;
  /**
   * A cheap check of what `facts` would say: the artifact released to each
   * environment (one request); undefined for an unknown service. Equal
   * versions mean unchanged facts, so a refresh skips the rest.
   */
  version?(
    service: string,
    environments: string[],
  ): Promise<string | undefined>;
}

// release-manager's response shapes (lunarway/release-manager:
// internal/http/types.go, internal/artifact/spec.go, internal/intent).
interface RmEnvironmentStatus {
  tag: string;
  committer?: string;
  author?: string;
  message?: string;
  date?: number;
  buildUrl?: string;
}
interface RmStatusResponse {
  environments?: Array<RmEnvironmentStatus & { name: string }>;
  [environment: string]: unknown;
}
interface RmRelease {
  releaseIndex?: number;
  artifact?: { id?: string; application?: { sha?: string } };
  releasedAt?: string;
  releasedByEmail?: string;
  releasedByName?: string;
  /** An object since intents were introduced; a plain type before. */
  intent?:
    | string
    | {
        type?: string;
        releaseBranch?: { branch?: string };
        promote?: { fromEnvironment?: string };
        rollback?: { previousArtifactId?: string };
      };
}
interface RmDescribeReleaseResponse {
  releases?: RmRelease[];
}
interface RmPoliciesResponse {
  autoReleases?: Array<{ id: string; branch: string; environment: string }>;
}

/** release-manager's HTTP API with a bearer token. */
export class ReleaseManagerClient implements ReleaseManagerSource {
  constructor(
    private readonly options: {
      baseUrl: string;
      token: string;
      timeoutMs: number;
    },
  ) {}

  async version(
    service: string,
    environments: string[],
  ): Promise<string | undefined> {
    const released = await this.released(service, environments);
    if (!released) return undefined;
    return JSON.stringify(released.map(([name, s]) => [name, s.tag]).sort());
  }

  async facts(
    service: string,
    environments: string[],
  ): Promise<ReleaseManagerFacts | undefined> {
    const released = await this.released(service, environments);
    if (!released) return undefined;

    const [details, policies] = await Promise.all([
      Promise.all(
        released.map(([name]) =>
          this.get<RmDescribeReleaseResponse>(
            `/describe/release/${encodeURIComponent(
              service,
            )}/${encodeURIComponent(name)}?count=2`,
          ),
        ),
      ),
      this.get<RmPoliciesResponse>(
        `/policies?service=${encodeURIComponent(service)}`,
      ),
    ]);

    const result = new Map<string, ReleaseManagerEnvironment>();
    released.forEach(([name, s], i) => {
      // Newest first: the current release and the one before it.
      const [latest, before] = details[i]?.releases ?? [];
      const sameArtifact = latest && latest.artifact?.id === s.tag;
      result.set(name, {
        artifactId: s.tag,
        sha: (sameArtifact && latest.artifact?.application?.sha) || null,
        author: s.author || null,
        message: s.message?.split('\n')[0] || null,
        committedAt: s.date ? new Date(s.date).toISOString() : null,
        buildUrl: s.buildUrl || null,
        releasedAt: (sameArtifact && latest.releasedAt) || null,
        releasedBy:
          (sameArtifact && (latest.releasedByName || latest.releasedByEmail)) ||
          null,
        intent: sameArtifact ? intentOf(latest) : null,
        previous:
          sameArtifact && before
            ? {
                sha: before.artifact?.application?.sha || null,
                artifactId: before.artifact?.id || null,
                releasedAt: before.releasedAt || null,
              }
            : null,
      });
    });
    return {
      environments: result,
      policies: (policies?.autoReleases ?? []).map(p => ({
        id: p.id,
        branch: p.branch,
        environment: p.environment,
      })),
    };
  }

  /**
   * The environments `GET /status` says the service is released to, with
   * their artifacts; undefined when release-manager does not know it.
   */
  private async released(
    service: string,
    environments: string[],
  ): Promise<Array<[string, RmEnvironmentStatus]> | undefined> {
    const status = await this.get<RmStatusResponse>(
      `/status?service=${encodeURIComponent(service)}`,
    );
    if (!status) return undefined;
    const perEnvironment = new Map<string, RmEnvironmentStatus>();
    for (const env of status.environments ?? []) {
      if (env?.name) perEnvironment.set(env.name, env);
    }
    // Older responses have one field per environment instead of a list.
    for (const name of environments) {
      const value = status[name] as RmEnvironmentStatus | undefined;
      if (!perEnvironment.has(name) && value && typeof value === 'object') {
        perEnvironment.set(name, value);
      }
    }
    const released = [...perEnvironment].filter(([, s]) => s.tag);
    // release-manager answers unknown services with empty environments.
    return released.length ? released : undefined;
  }

  /** GET a path; undefined on 404. */
  private async get<T>(pathAndQuery: string): Promise<T | undefined> {
    const url = `${this.options.baseUrl}${pathAndQuery}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${this.options.token}`,
        },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (e) {
      throw new SourceError(
        `release-manager could not be reached: ${(e as Error).message}`,
        'unreachable',
      );
    }
    if (response.status === 404) return undefined;
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as {
        message?: string;
      };
      const reason = body.message ? `: ${body.message}` : '';
      if (response.status === 401 || response.status === 403) {
        throw new SourceError(
          `release-manager refused the configured token (${response.status})${reason}`,
          'error',
        );
      }
      throw new SourceError(
        `release-manager answered ${response.status} for ${
          pathAndQuery.split('?')[0]
        }${reason}`,
        response.status >= 500 ? 'unreachable' : 'error',
      );
    }
    return (await response.json()) as T;
  }
}

function intentOf(release: RmRelease): ReleaseIntent | null {
  const intent =
    typeof release.intent === 'string'
      ? { type: release.intent }
      : release.intent;
  if (!intent?.type) return null;
  return {
    type: intent.type,
    ...(intent.releaseBranch?.branch && {
      branch: intent.releaseBranch.branch,
    }),
    ...(intent.promote?.fromEnvironment && {
      fromEnvironment: intent.promote.fromEnvironment,
    }),
    ...(intent.rollback?.previousArtifactId && {
      previousArtifactId: intent.rollback.previousArtifactId,
    }),
  };
}
