import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  catalogApiRef,
  entityRouteRef,
  EntityProvider,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { releaseStatusApiRef } from '@internal/plugin-release-status-react';
import { SquadOverviewCard } from './SquadOverviewCard';
import { component, fakeApis, release, squad } from '../../__testUtils__/fakes';

jest.setTimeout(30_000);

async function render(apis: ReturnType<typeof fakeApis>, services = 3) {
  const names = Array.from(
    { length: services },
    (_, i) => `svc-${String(i).padStart(3, '0')}`,
  );
  await renderInTestApp(
    <EntityProvider entity={squad('squad-nasa', ['ada'])}>
      <SquadOverviewCard />
    </EntityProvider>,
    {
      apis: [
        [
          catalogApiRef,
          catalogApiMock({
            entities: [
              ...names.map(n => component(n, 'squad-nasa')),
              component('go-amqp', 'squad-nasa', 'library'),
              component('card-clearing', 'squad-gemini'),
            ],
          }),
        ],
        [deadLetterApiRef, apis.deadLetterApi],
        [releaseStatusApiRef, apis.releaseApi],
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
  return names;
}

describe('SquadOverviewCard', () => {
  it("shows the squad's numbers and services, worst drift first", async () => {
    const apis = fakeApis({
      releases: [
        release('svc-000', 'squad-nasa', 2, 1),
        release('svc-001', 'squad-nasa', 7, 13),
        release('svc-002', 'squad-nasa', 0, 0),
        release('card-clearing', 'squad-gemini', 9, 20),
      ],
      deadLetters: {
        dev: [
          { service: 'svc-001', squad: 'squad-nasa', count: 40 },
          { service: 'card-clearing', squad: 'squad-gemini', count: 5 },
        ],
      },
    });
    await render(apis);
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
    // The table: the squad's own components only, with dead letters.
    const table = screen.getByRole('table');
    const row = within(table)
      .getByRole('link', { name: 'svc-001' })
      .closest('tr')!;
    expect(within(row).getByRole('link', { name: '40' })).toHaveAttribute(
      'href',
      '/catalog/default/component/svc-001/dead-letter',
    );
    expect(within(table).getAllByRole('row')).toHaveLength(1 + 4);
    expect(screen.queryByRole('link', { name: 'card-clearing' })).toBeNull();
  });

  it('makes the same few requests for 150 services', async () => {
    const apis = fakeApis({ releases: [], deadLetters: { dev: [], prod: [] } });
    await render(apis, 150);
    // 151 rows take jsdom a while on a loaded machine.
    expect(
      await screen.findByLabelText('Services: 151', {}, { timeout: 20_000 }),
    ).toBeInTheDocument();
    expect(apis.calls.sort()).toEqual([
      'dead-letter environments',
      'dead-letter services dev',
      'dead-letter services prod',
      'releases group:default/squad-nasa',
    ]);
  });

  it('shows what it has when a part fails', async () => {
    const apis = fakeApis({
      releases: [release('svc-000', 'squad-nasa', 1, 1)],
      deadLetters: {},
      deadLetterError: new Error('dead-letter backend unavailable'),
    });
    await render(apis, 1);
    expect(
      await screen.findByText(/Could not load dead letters/),
    ).toBeInTheDocument();
    expect(
      screen.getByLabelText('Behind master in prod: 1'),
    ).toBeInTheDocument();
  });
});
