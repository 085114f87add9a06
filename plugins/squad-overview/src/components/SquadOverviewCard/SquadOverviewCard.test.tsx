import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  entityRouteRef,
  EntityProvider,
} from '@backstage/plugin-catalog-react';
import { SquadOverviewResponse } from '@internal/plugin-squad-overview-common';
import { squadOverviewApiRef } from '../../api';
import { SquadOverviewCard } from './SquadOverviewCard';
import {
  fakeSquadApi,
  overview,
  release,
  service,
  squad,
} from '../../__testUtils__/fakes';

jest.setTimeout(30_000);

async function render(answer: SquadOverviewResponse | Error) {
  const fake = fakeSquadApi({ overview: answer });
  await renderInTestApp(
    <EntityProvider entity={squad('squad-nasa', ['ada'])}>
      <SquadOverviewCard />
    </EntityProvider>,
    {
      apis: [[squadOverviewApiRef, fake.api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
  return fake.calls;
}

describe('SquadOverviewCard', () => {
  it("shows the squad's numbers and services, worst drift first", async () => {
    await render(
      overview({
        services: [
          service('go-amqp', { type: 'library' }),
          service('svc-000', {
            release: release('svc-000', 'squad-nasa', 2, 1),
          }),
          service('svc-001', {
            release: release('svc-001', 'squad-nasa', 7, 13),
            deadLetters: { dev: 40 },
            openPullRequests: 3,
          }),
          service('svc-002', {
            release: release('svc-002', 'squad-nasa', 0, 0),
          }),
        ],
      }),
    );
    expect(await screen.findByLabelText('Services: 4')).toBeInTheDocument();
    expect(screen.getByText('service: 3, library: 1')).toBeInTheDocument();
    expect(
      screen.getByLabelText('Dead letters in dev: 40'),
    ).toBeInTheDocument();
    expect(
      screen.getByLabelText('Behind master in prod: 2'),
    ).toBeInTheDocument();
    const behind = within(
      screen.getByRole('list', { name: 'Services behind in prod' }),
    );
    expect(behind.getAllByRole('listitem').map(li => li.textContent)).toEqual([
      'svc-001: 7 commits (13 days) behind master',
      'svc-000: 2 commits (24 hours) behind master',
    ]);
    expect(behind.getByRole('link', { name: 'svc-001' })).toHaveAttribute(
      'href',
      '/catalog/default/component/svc-001/releases',
    );
    const table = screen.getByRole('table');
    const row = within(table)
      .getByRole('link', { name: 'svc-001' })
      .closest('tr')!;
    expect(within(row).getByRole('link', { name: '40' })).toHaveAttribute(
      'href',
      '/catalog/default/component/svc-001/dead-letter',
    );
    // Open PRs, the last column.
    expect(within(row).getAllByRole('cell').pop()).toHaveTextContent('3');
    expect(within(table).getAllByRole('row')).toHaveLength(1 + 4);
  });

  it('makes one request for 150 services', async () => {
    const calls = await render(
      overview({
        services: Array.from({ length: 150 }, (_, i) =>
          service(`svc-${String(i).padStart(3, '0')}`),
        ),
        deadLetters: { environments: ['dev', 'prod'] },
      }),
    );
    // 150 rows take jsdom a while on a loaded machine.
    expect(
      await screen.findByLabelText('Services: 150', {}, { timeout: 20_000 }),
    ).toBeInTheDocument();
    expect(calls).toEqual(['overview group:default/squad-nasa']);
  });

  it('shows a failed dead-letter section in its place, and the rest', async () => {
    await render(
      overview({
        services: [
          service('svc-000', {
            release: release('svc-000', 'squad-nasa', 1, 1),
          }),
        ],
        deadLetters: {
          environments: [],
          error: { message: 'dead-letter backend: 503 Service Unavailable' },
        },
      }),
    );
    expect(
      await screen.findByText(/Could not load dead letters/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('dead-letter backend: 503 Service Unavailable'),
    ).toBeInTheDocument();
    // Not mistaken for an installation without environments.
    expect(screen.queryByText(/no environment is configured/)).toBeNull();
    expect(
      screen.getByLabelText('Behind master in prod: 1'),
    ).toBeInTheDocument();
    expect(screen.getAllByRole('link', { name: 'svc-000' })).toHaveLength(2);
  });

  it('shows a failed release-status section in its place, and the rest', async () => {
    await render(
      overview({
        services: [service('svc-000', { deadLetters: { dev: 2 } })],
        releases: {
          environments: [],
          error: {
            message: 'release-status backend: 500 Internal Server Error',
          },
        },
      }),
    );
    expect(
      await screen.findByText(/Could not load release status/),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Dead letters in dev: 2')).toBeInTheDocument();
    expect(
      screen.getByText('Release status is not available.'),
    ).toBeInTheDocument();
  });

  it('shows a page error when the overview cannot be loaded at all', async () => {
    await render(new Error('squad-overview backend is down'));
    expect(
      await screen.findAllByText(/squad-overview backend is down/),
    ).not.toHaveLength(0);
  });
});
