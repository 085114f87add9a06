import { Entity } from '@backstage/catalog-model';
import { DeadLetterApi } from '@internal/plugin-dead-letter-react';
import { ReleaseStatusApi } from '@internal/plugin-release-status-react';
import {
  EnvironmentRelease,
  ReleaseStatus,
} from '@internal/plugin-release-status-common';

const DAY = 24 * 3_600_000;

export function component(
  name: string,
  owner: string,
  type = 'service',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type, lifecycle: 'production', owner: `group:default/${owner}` },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
  };
}

export function squad(name: string, members: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'squad',
      children: [],
      profile: { displayName: `Squad ${name.slice(6)}` },
    },
    relations: members.map(m => ({
      type: 'hasMember',
      targetRef: `user:default/${m}`,
    })),
  };
}

function env(
  environment: string,
  commitsBehind: number,
  days: number,
): EnvironmentRelease {
  return {
    environment,
    sha: environment.padEnd(40, '0'),
    artifactId: null,
    commitUrl: null,
    author: null,
    message: null,
    committedAt: null,
    releasedAt: null,
    releasedBy: null,
    intent: null,
    buildUrl: null,
    drift: {
      commitsBehind,
      oldestUnreleasedAt: commitsBehind
        ? new Date(Date.now() - days * DAY - 60_000).toISOString()
        : null,
    },
  };
}

/** Release status with `prod` `behind` commits (`days` old) behind. */
export function release(
  name: string,
  squadName: string,
  behind: number,
  days: number,
): ReleaseStatus {
  return {
    entityRef: `component:default/${name}`,
    service: name,
    owner: `group:default/${squadName}`,
    defaultBranch: 'master',
    head: null,
    environments: [env('dev', 0, 0), env('prod', behind, days)],
    autoReleasePolicies: [],
    sources: [],
    generatedAt: new Date().toISOString(),
  };
}

/** Typed stand-ins counting their calls. */
export function fakeApis(options: {
  releases: ReleaseStatus[];
  deadLetters: Record<
    string,
    Array<{ service: string; squad: string; count: number }>
  >;
  deadLetterError?: Error;
}) {
  const calls: string[] = [];
  const deadLetterApi = {
    environments: async () => {
      calls.push('dead-letter environments');
      if (options.deadLetterError) throw options.deadLetterError;
      return Object.keys(options.deadLetters).map(name => ({
        name,
        queue: 'dead-letters',
        state: 'consuming' as const,
        reason: null,
        stored: 0,
        logsUrlTemplate: null,
      }));
    },
    serviceOverview: async (environment: string, squadName?: string) => {
      calls.push(`dead-letter services ${environment}`);
      return options.deadLetters[environment]
        .filter(s => s.squad === squadName)
        .map(s => ({ ...s, oldest: '', newest: '' }));
    },
    squadOverview: async (environment: string) => {
      calls.push(`dead-letter squads ${environment}`);
      const totals = new Map<string, number>();
      for (const s of options.deadLetters[environment]) {
        totals.set(s.squad, (totals.get(s.squad) ?? 0) + s.count);
      }
      return [...totals].map(([squadName, count]) => ({
        squad: squadName,
        count,
      }));
    },
  } as unknown as DeadLetterApi;
  const releaseApi: ReleaseStatusApi = {
    status: async () => {
      throw new Error('not used');
    },
    overview: async o => {
      calls.push(`releases ${o?.owner ?? 'all'}`);
      return {
        environments: ['dev', 'prod'],
        items: options.releases.filter(r => !o?.owner || r.owner === o.owner),
      };
    },
  };
  return { deadLetterApi, releaseApi, calls };
}
