import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  entityRouteRef,
  EntityProvider,
} from '@backstage/plugin-catalog-react';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { releaseStatusApiRef } from '@internal/plugin-release-status-react';
import { PulseResponse } from '@internal/plugin-squad-overview-common';
import { squadOverviewApiRef, SquadOverviewApi } from '../../api';
import { fakeApis, release, squad } from '../../__testUtils__/fakes';
import { PulseCard } from './PulseCard';

function squadApi(pulse: PulseResponse): SquadOverviewApi {
  return {
    pulse: async () => pulse,
    pullRequests: async () => {
      throw new Error('not used');
    },
  };
}

async function render(pulse: PulseResponse, deadLetterError?: Error) {
  const apis = fakeApis({
    releases: [
      {
        ...release('authentication', 'squad-nasa', 1, 1),
        environments: [
          {
            ...release('authentication', 'squad-nasa', 1, 1).environments[1],
            releasedAt: new Date(Date.now() - 2 * 3_600_000).toISOString(),
            releasedBy: 'Ada',
            artifactId: 'master-1c1508405e-67e9d69164',
          },
        ],
      },
    ],
    deadLetters: { dev: [] },
    deadLetterError,
  });
  (apis.deadLetterApi as any).histogram = async () => ({
    from: '',
    hours: 168,
    buckets: [
      {
        hour: new Date(Date.now() - 5 * 3_600_000).toISOString().slice(0, 13),
        key: 'dead-letter',
        count: 120,
      },
    ],
  });
  await renderInTestApp(
    <EntityProvider entity={squad('squad-nasa', ['ada'])}>
      <PulseCard />
    </EntityProvider>,
    {
      apis: [
        [squadOverviewApiRef, squadApi(pulse)],
        [deadLetterApiRef, apis.deadLetterApi],
        [releaseStatusApiRef, apis.releaseApi],
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

describe('PulseCard', () => {
  it('lists what happened newest first, each linking to where it happened', async () => {
    await render({
      items: [
        {
          id: '1',
          kind: 'service-added',
          occurredAt: new Date(Date.now() - 10 * 60_000).toISOString(),
          squad: 'group:default/squad-nasa',
          entityRef: 'component:default/payments',
          service: 'payments',
          environment: null,
          actor: null,
          artifactId: null,
          summary: 'payments was added to the catalog',
        },
      ],
      sources: { catalog: true, releaseEvents: true },
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

  it('says what is empty and which part could not be loaded', async () => {
    await render(
      { items: [], sources: { catalog: true, releaseEvents: false } },
      new Error('dead-letter backend is down'),
    );
    expect(
      await screen.findByText(
        /could not be loaded: dead letters: dead-letter backend is down/,
      ),
    ).toBeInTheDocument();
    // The release from release-manager still shows.
    expect(screen.getByText(/was released to prod by Ada/)).toBeInTheDocument();
  });

  it('explains an empty pulse and how to add release events', async () => {
    const apis = fakeApis({ releases: [], deadLetters: {} });
    await renderInTestApp(
      <EntityProvider entity={squad('squad-aura', [])}>
        <PulseCard />
      </EntityProvider>,
      {
        apis: [
          [
            squadOverviewApiRef,
            squadApi({
              items: [],
              sources: { catalog: true, releaseEvents: false },
            }),
          ],
          [deadLetterApiRef, apis.deadLetterApi],
          [releaseStatusApiRef, apis.releaseApi],
        ],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
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
