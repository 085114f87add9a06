import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  entityRouteRef,
  EntityProvider,
} from '@backstage/plugin-catalog-react';
import { SquadOverviewClient, squadOverviewApiRef } from '../api';
import { overview, service, squad } from '../__testUtils__/fakes';
import { PullRequestsCard } from './PullRequestsCard';
import { PulseCard } from './PulseCard';
import { SquadOverviewCard } from './SquadOverviewCard';

describe("a squad's page", () => {
  it('renders its three cards from one request', async () => {
    const requests: string[] = [];
    const client = new SquadOverviewClient({
      discoveryApi: {
        getBaseUrl: async () => 'http://backend.test/api/squad-overview',
      },
      fetchApi: {
        fetch: async (input: any) => {
          requests.push(String(input));
          return new Response(
            JSON.stringify(overview({ services: [service('payments')] })),
            { status: 200, headers: { 'Content-Type': 'application/json' } },
          );
        },
      },
    });
    await renderInTestApp(
      <EntityProvider entity={squad('squad-nasa', ['ada'])}>
        <SquadOverviewCard />
        <PullRequestsCard />
        <PulseCard />
      </EntityProvider>,
      {
        apis: [[squadOverviewApiRef, client]],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    expect(await screen.findByLabelText('Services: 1')).toBeInTheDocument();
    expect(
      await screen.findByText('No open pull requests'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        "Nothing has happened to squad-nasa's services lately",
      ),
    ).toBeInTheDocument();
    expect(requests).toEqual([
      'http://backend.test/api/squad-overview/overview?squad=group%3Adefault%2Fsquad-nasa',
    ]);
  });
});
