import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { PulseStore } from '../database/PulseStore';
import { PullRequestsService } from '../github/PullRequestsService';
import { SquadOverviewService } from './SquadOverviewService';

const squad: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'squad-nasa', namespace: 'default' },
  spec: { type: 'squad', profile: { displayName: 'Squad NASA' } },
};

const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments',
    namespace: 'default',
    annotations: { 'github.com/project-slug': 'lunarway/payments' },
  },
  spec: { type: 'service', lifecycle: 'production' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/squad-nasa' }],
};

function service(options: {
  store?: Partial<PulseStore>;
  pullRequests?: Partial<PullRequestsService>;
}) {
  return new SquadOverviewService({
    catalog: catalogServiceMock({ entities: [squad, payments] }),
    store: { listForSquad: async () => [], ...options.store } as PulseStore,
    pullRequests: {
      forOwner: async () => ({
        state: 'ok' as const,
        items: [
          {
            repository: 'lunarway/payments',
            number: 7,
            title: 'Bump',
            url: 'https://github.com/lunarway/payments/pull/7',
            author: 'ada',
            draft: false,
            updatedAt: '2026-12-01T00:00:00Z',
            entityRefs: ['component:default/payments'],
          },
        ],
        repositories: 1,
        missing: [],
      }),
      ...options.pullRequests,
    } as PullRequestsService,
    deadLetters: {
      environments: async () => [],
      serviceOverview: async () => [],
      serviceHistogram: async () => {
        throw new Error('not asked without environments');
      },
    },
    releases: {
      overview: async () => ({ environments: ['dev', 'prod'], items: [] }),
    },
    releaseEvents: true,
    logger: mockServices.logger.mock(),
  });
}

const credentials = mockCredentials.user('user:default/ada');

describe('SquadOverviewService', () => {
  it('counts open pull requests per component', async () => {
    const body = await service({}).squad(squad, credentials);
    expect(body.squad.title).toBe('Squad NASA');
    expect(body.services.map(s => [s.name, s.openPullRequests])).toEqual([
      ['payments', 1],
    ]);
  });

  it('reports an unreadable pulse store in the pulse section only, without its SQL', async () => {
    const body = await service({
      store: {
        listForSquad: async () => {
          throw new Error(
            'select * from "pulse_events" where "squad" = $1 - relation "pulse_events" does not exist',
          );
        },
      },
    }).squad(squad, credentials);
    expect(body.pulse).toEqual({
      items: [],
      releaseEvents: true,
      missing: [],
      error: {
        message: expect.stringMatching(
          /^pulse: An internal error occurred \(reference \w+\); it has been logged$/,
        ),
      },
    });
    expect(body.services).toHaveLength(1);
    expect(body.releases).toEqual({ environments: ['dev', 'prod'] });
  });

  it('reports failing pull requests in their section only', async () => {
    const body = await service({
      pullRequests: {
        forOwner: async () => {
          throw new Error('socket hang up');
        },
      },
    }).squad(squad, credentials);
    expect(body.pullRequests).toEqual({
      state: 'error',
      message: 'Open pull requests could not be read: socket hang up',
      items: [],
      repositories: 0,
      missing: [],
    });
    expect(body.services.map(s => s.openPullRequests)).toEqual([null]);
    expect(body.pulse.error).toBeUndefined();
  });
});
