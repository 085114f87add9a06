import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  entityRouteRef,
  EntityProvider,
} from '@backstage/plugin-catalog-react';
import { SquadOverviewResponse } from '@internal/plugin-squad-overview-common';
import { squadOverviewApiRef } from '../../api';
import { fakeSquadApi, overview, squad } from '../../__testUtils__/fakes';
import { PulseCard } from './PulseCard';

async function render(
  pulse: SquadOverviewResponse['pulse'],
  squadName = 'squad-nasa',
) {
  await renderInTestApp(
    <EntityProvider entity={squad(squadName, ['ada'])}>
      <PulseCard />
    </EntityProvider>,
    {
      apis: [
        [
          squadOverviewApiRef,
          fakeSquadApi({ overview: overview({ pulse }) }).api,
        ],
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('PulseCard', () => {
  it('lists what happened newest first, each linking to where it happened', async () => {
    await render({
      items: [
        {
          key: 'event:1',
          at: ago(10 * 60_000),
          kind: 'service-added',
          summary: 'payments was added to the catalog',
          entityRef: 'component:default/payments',
          tab: '',
        },
        {
          key: 'release:authentication',
          at: ago(2 * 3_600_000),
          kind: 'released',
          summary:
            'authentication master-1c1508405e-67e9d69164 was released to prod by Ada',
          entityRef: 'component:default/authentication',
          tab: '/releases',
        },
        {
          key: 'burst:dev:dead-letter',
          at: ago(5 * 3_600_000),
          kind: 'dead-letter-burst',
          summary:
            '120 messages of dead-letter were dead-lettered in dev within an hour',
          entityRef: 'component:default/dead-letter',
          tab: '/dead-letter',
        },
      ],
      releaseEvents: true,
      missing: [],
    });
    const links = await screen.findAllByRole('link');
    expect(links.map(l => [l.textContent, l.getAttribute('href')])).toEqual([
      [
        'payments was added to the catalog',
        '/catalog/default/component/payments',
      ],
      [
        'authentication master-1c1508405e-67e9d69164 was released to prod by Ada',
        '/catalog/default/component/authentication/releases',
      ],
      [
        '120 messages of dead-letter were dead-lettered in dev within an hour',
        '/catalog/default/component/dead-letter/dead-letter',
      ],
    ]);
    expect(screen.getByText('10 min ago')).toBeInTheDocument();
  });

  it('says which part of the pulse could not be loaded, and shows the rest', async () => {
    await render({
      items: [
        {
          key: 'release:authentication',
          at: ago(2 * 3_600_000),
          kind: 'released',
          summary: 'authentication master-1 was released to prod by Ada',
          entityRef: 'component:default/authentication',
          tab: '/releases',
        },
      ],
      releaseEvents: false,
      missing: [
        { message: 'dead-letter backend: dead-letter backend is down' },
      ],
    });
    expect(
      await screen.findByText(
        /could not be loaded: dead-letter backend: dead-letter backend is down/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/was released to prod by Ada/)).toBeInTheDocument();
  });

  it('shows an unreadable stored pulse in the card, not as a page error', async () => {
    await render({
      items: [],
      releaseEvents: true,
      missing: [],
      error: { message: 'pulse store: connection terminated' },
    });
    expect(
      await screen.findByText(/Could not load the pulse/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('pulse store: connection terminated'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Nothing has happened/)).toBeNull();
  });

  it('explains an empty pulse and how to add release events', async () => {
    await render(
      { items: [], releaseEvents: false, missing: [] },
      'squad-aura',
    );
    expect(
      await screen.findByText(
        "Nothing has happened to squad-aura's services lately",
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/squadOverview\.releaseEvents\.amqp\.url/),
    ).toBeInTheDocument();
  });
});
