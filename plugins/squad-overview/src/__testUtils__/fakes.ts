import { Entity } from '@backstage/catalog-model';
import {
  SquadOverviewResponse,
  SquadService,
  SquadsOverviewResponse,
} from '@internal/plugin-squad-overview-common';
import { SquadOverviewApi } from '../api';
import {
  EnvironmentRelease,
  ReleaseStatus,
} from '@internal/plugin-release-status-common';

const DAY = 24 * 3_600_000;

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

/** One of a squad's services as the backend joins it. */
export function service(
  name: string,
  over: Partial<SquadService> = {},
): SquadService {
  return {
    entityRef: `component:default/${name}`,
    name,
    title: null,
    type: 'service',
    lifecycle: 'production',
    deadLetters: {},
    release: null,
    openPullRequests: null,
    ...over,
  };
}

/** A squad's overview as the backend answers it, every section fine. */
export function overview(
  over: Partial<SquadOverviewResponse> = {},
): SquadOverviewResponse {
  return {
    squad: {
      entityRef: 'group:default/squad-nasa',
      name: 'squad-nasa',
      title: 'Squad nasa',
    },
    services: [],
    deadLetters: { environments: ['dev'] },
    releases: { environments: ['dev', 'prod'] },
    pullRequests: { state: 'ok', items: [], repositories: 0, missing: [] },
    pulse: { items: [], releaseEvents: true, missing: [] },
    ...over,
  };
}

/** A typed stand-in for the backend's client, counting its calls. */
export function fakeSquadApi(answers: {
  overview?: SquadOverviewResponse | Error;
  squads?: SquadsOverviewResponse | Error;
}) {
  const calls: string[] = [];
  const answer = async <T>(value: T | Error | undefined): Promise<T> => {
    if (value === undefined) throw new Error('not expected in this test');
    if (value instanceof Error) throw value;
    return value;
  };
  const api: SquadOverviewApi = {
    squadOverview: async squadRef => {
      calls.push(`overview ${squadRef}`);
      return answer(answers.overview);
    },
    squadsOverview: async () => {
      calls.push('squads');
      return answer(answers.squads);
    },
  };
  return { api, calls };
}
