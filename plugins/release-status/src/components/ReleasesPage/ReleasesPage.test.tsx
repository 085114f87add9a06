import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ReleaseOverview } from '@internal/plugin-release-status-common';
import {
  ReleaseStatusApi,
  releaseStatusApiRef,
} from '@internal/plugin-release-status-react';
import { ReleasesPage } from './ReleasesPage';
import { env, status } from '../../__testUtils__/fixtures';

const overview: ReleaseOverview = {
  environments: ['dev', 'staging', 'prod'],
  items: [
    status(),
    status({
      entityRef: 'component:default/credit-scoring',
      service: 'credit-scoring',
      owner: 'group:default/squad-nasa',
      environments: [env('dev', 'c1', 0)],
    }),
  ],
};

// The table and user events take seconds on a busy machine, beyond Jest's
// default 5 s.
jest.setTimeout(20_000);

describe('ReleasesPage', () => {
  it('lists services with each environment and filters by squad', async () => {
    const owners: Array<string | undefined> = [];
    const api: ReleaseStatusApi = {
      status: async () => {
        throw new Error('not used');
      },
      refresh: async () => {
        throw new Error('not used');
      },
      overview: async options => {
        owners.push(options?.owner);
        return options?.owner
          ? {
              ...overview,
              items: overview.items.filter(i => i.owner === options.owner),
            }
          : overview;
      },
    };
    await renderInTestApp(<ReleasesPage />, {
      apis: [
        [releaseStatusApiRef, api],
        [
          catalogApiRef,
          catalogApiMock({
            entities: [
              ['squad-gemini', 'squad'],
              ['squad-nasa', 'squad'],
              // Groups that own no services: not squads.
              ['lunar', 'organization'],
              ['platform-guild', 'guild'],
            ].map(([name, type]) => ({
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Group',
              metadata: { name, namespace: 'default' },
              spec: { type, children: [] },
            })),
          }),
        ],
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });

    const cardClearing = (
      await screen.findByRole('link', { name: 'card-clearing' })
    ).closest('tr')!;
    expect(
      within(cardClearing).getByText('7 commits (13 days) behind master'),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'card-clearing' })).toHaveAttribute(
      'href',
      '/catalog/default/component/card-clearing/releases',
    );
    const creditScoring = screen
      .getByRole('link', { name: 'credit-scoring' })
      .closest('tr')!;
    // Only in dev: staging and prod say so.
    expect(within(creditScoring).getAllByText('not released')).toHaveLength(2);
    expect(
      within(creditScoring).getByText('up to date with master'),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByText('All squads'));
    const nasa = await screen.findByRole('option', { name: 'squad-nasa' });
    // Only squads to pick from.
    expect(screen.getAllByRole('option').map(o => o.textContent)).toEqual([
      'All squads',
      'squad-gemini',
      'squad-nasa',
    ]);
    await userEvent.click(nasa);
    expect(await screen.findByText('1 service')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'card-clearing' })).toBeNull();
    expect(owners).toEqual([undefined, 'group:default/squad-nasa']);
  });

  it('reads a bare squad name in the address as a group', async () => {
    const owners: Array<string | undefined> = [];
    const api: ReleaseStatusApi = {
      status: async () => {
        throw new Error('not used');
      },
      refresh: async () => {
        throw new Error('not used');
      },
      overview: async options => {
        owners.push(options?.owner);
        return { ...overview, items: [overview.items[1]] };
      },
    };
    await renderInTestApp(<ReleasesPage />, {
      apis: [
        [releaseStatusApiRef, api],
        [
          catalogApiRef,
          catalogApiMock({
            entities: [
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Group',
                metadata: { name: 'squad-nasa', namespace: 'default' },
                spec: { type: 'squad', children: [] },
              },
            ],
          }),
        ],
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      initialRouteEntries: ['/?owner=squad-nasa'],
    });
    expect(
      await screen.findByRole('link', { name: 'credit-scoring' }),
    ).toBeInTheDocument();
    expect(owners).toEqual(['group:default/squad-nasa']);
  });
});
