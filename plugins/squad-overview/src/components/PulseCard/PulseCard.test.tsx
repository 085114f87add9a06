import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  entityRouteRef,
  EntityProvider,
} from '@backstage/plugin-catalog-react';
import { SquadOverviewResponse } from '@internal/plugin-squad-overview-common';
import { squadOverviewApiRef } from '../../api';
import { fakeSquadApi, overview, squad } from '../../__testUtils__/fakes';
import { PulseCard } from './PulseCard';
import { TIMELINE_HOURS } from './PulseTimeline';

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

  it("puts releases and dead-letter bursts on each environment's time axis", async () => {
    // The axis is 840 wide over the last 7 days: 5 per hour.
    await render({
      items: [
        {
          key: 'release:authentication:prod',
          at: ago(24 * 3_600_000),
          kind: 'released',
          summary:
            'authentication master-1c1508405e-67e9d69164 was released to prod by Ada',
          entityRef: 'component:default/authentication',
          tab: '/releases',
          environment: 'prod',
        },
        {
          key: 'burst:prod:authentication',
          at: ago(23 * 3_600_000),
          kind: 'dead-letter-burst',
          summary:
            '120 messages of authentication were dead-lettered in prod within an hour',
          entityRef: 'component:default/authentication',
          tab: '/dead-letter',
          environment: 'prod',
        },
        {
          key: 'event:7',
          at: ago(72 * 3_600_000),
          kind: 'released',
          summary: 'authentication was released to dev by Ada',
          entityRef: 'component:default/authentication',
          tab: '/releases',
          environment: 'dev',
        },
        // No environment: not on the axis.
        {
          key: 'event:1',
          at: ago(10 * 60_000),
          kind: 'service-added',
          summary: 'payments was added to the catalog',
          entityRef: 'component:default/payments',
          tab: '',
          environment: null,
        },
        // Older than the axis.
        {
          key: 'event:2',
          at: ago((TIMELINE_HOURS + 1) * 3_600_000),
          kind: 'released',
          summary: 'payments was released to prod long ago',
          entityRef: 'component:default/payments',
          tab: '/releases',
          environment: 'prod',
        },
      ],
      releaseEvents: true,
      missing: [],
    });
    const axis = await screen.findByRole('img', {
      name: /Releases and dead-letter bursts per environment/,
    });
    const lanes = [...axis.querySelectorAll('g[data-environment]')];
    // Release promotion order (dev before prod), not the order of entries.
    expect(lanes.map(l => l.getAttribute('data-environment'))).toEqual([
      'dev',
      'prod',
    ]);
    const [dev, prod] = lanes as HTMLElement[];
    const place = (lane: HTMLElement, id: string) =>
      within(lane)
        .queryAllByTestId(id)
        .map(m => [
          Math.round(Number(m.getAttribute('data-x'))),
          m.querySelector('title')?.textContent,
        ]);
    expect(place(prod, 'pulse-release-marker')).toEqual([
      [
        // 24 hours before now: 840 - 24 x 5.
        720,
        expect.stringMatching(
          /^authentication master-1c1508405e-67e9d69164 was released to prod by Ada \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/,
        ),
      ],
    ]);
    expect(place(prod, 'pulse-burst')).toEqual([
      [725, expect.stringMatching(/^120 messages of authentication/)],
    ]);
    expect(place(dev, 'pulse-release-marker')).toEqual([
      [480, expect.stringMatching(/^authentication was released to dev/)],
    ]);
    expect(place(dev, 'pulse-burst')).toEqual([]);
  });

  it('draws no time axis when nothing happened in an environment', async () => {
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
      ],
      releaseEvents: true,
      missing: [],
    });
    expect(
      await screen.findByText('payments was added to the catalog'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('img')).toBeNull();
  });
});
