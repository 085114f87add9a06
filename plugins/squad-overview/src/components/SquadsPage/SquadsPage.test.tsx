import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  SquadSummary,
  SquadsOverviewResponse,
} from '@internal/plugin-squad-overview-common';
import { squadOverviewApiRef } from '../../api';
import { fakeSquadApi } from '../../__testUtils__/fakes';
import { SquadsPage } from './SquadsPage';

const row = (name: string, over: Partial<SquadSummary>): SquadSummary => ({
  entityRef: `group:default/${name}`,
  name,
  title: `Squad ${name.slice(6)}`,
  members: 0,
  servicesByType: {},
  services: 0,
  deadLetters: {},
  behindInProduction: 0,
  ...over,
});

const answer = (
  over: Partial<SquadsOverviewResponse> = {},
): SquadsOverviewResponse => ({
  squads: [
    row('squad-gemini', {
      members: 2,
      services: 3,
      servicesByType: { service: 2, library: 1 },
      deadLetters: { dev: 43870 },
      behindInProduction: 1,
    }),
    row('squad-nasa', {
      members: 1,
      services: 1,
      servicesByType: { service: 1 },
      deadLetters: { dev: 7 },
      behindInProduction: 1,
    }),
  ],
  deadLetters: { environments: ['dev'] },
  releases: { production: 'prod' },
  unknownOwners: { items: [] },
  ...over,
});

async function render(squads: SquadsOverviewResponse | Error) {
  const fake = fakeSquadApi({ squads });
  await renderInTestApp(<SquadsPage />, {
    apis: [[squadOverviewApiRef, fake.api]],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
  return fake.calls;
}

describe('SquadsPage', () => {
  it('lists every squad with members, services, dead letters and drift, from one request', async () => {
    const calls = await render(answer());

    expect(await screen.findByText('2 squads')).toBeInTheDocument();
    const gemini = screen
      .getByRole('link', { name: 'squad-gemini' })
      .closest('tr')!;
    const cells = within(gemini)
      .getAllByRole('cell')
      .map(c => c.textContent);
    expect(cells).toEqual([
      'squad-geminiSquad gemini',
      '2',
      '3service: 2, library: 1',
      '43,870',
      '1',
    ]);
    expect(
      within(gemini).getByRole('link', { name: '43,870' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/group/squad-gemini/dead-letter',
    );
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('squad-gemini');
    expect(calls).toEqual(['squads']);
    // Every owner is a squad: no warning.
    expect(screen.queryByText(/not a known squad/)).toBeNull();
  });

  it('flags owners that are not in the catalog', async () => {
    await render(
      answer({
        unknownOwners: {
          items: [
            {
              entityRef: 'group:default/squad-juno',
              name: 'squad-juno',
              components: [
                'component:default/payments-api-sdk',
                'component:default/payments-plugin-hikashop',
              ],
            },
          ],
        },
      }),
    );

    expect(
      await screen.findByText(/1 owner is not in the catalog/),
    ).toBeInTheDocument();
    const item = screen.getByText(/owner squad-juno is not a known squad/);
    expect(item).toHaveTextContent(
      'owner squad-juno is not a known squad: payments-api-sdk, payments-plugin-hikashop',
    );
    expect(
      within(item).getByRole('link', { name: 'payments-api-sdk' }),
    ).toHaveAttribute('href', '/catalog/default/component/payments-api-sdk');
  });

  it('shows a failed section as a warning above the squads, not as a page error', async () => {
    await render(
      answer({
        squads: [row('squad-nasa', { services: 1, behindInProduction: null })],
        deadLetters: { environments: [] },
        releases: {
          production: null,
          error: { message: 'release-status backend: 502 Bad Gateway' },
        },
      }),
    );
    expect(
      await screen.findByText('release-status backend: 502 Bad Gateway'),
    ).toBeInTheDocument();
    expect(screen.getByText(/Some numbers are missing/)).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'squad-nasa' }),
    ).toBeInTheDocument();
  });

  it('shows a page error when the squads cannot be loaded at all', async () => {
    await render(new Error('squad-overview backend is down'));
    expect(
      await screen.findAllByText(/squad-overview backend is down/),
    ).not.toHaveLength(0);
  });
});
