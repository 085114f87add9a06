import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { releaseStatusApiRef } from '@internal/plugin-release-status-react';
import { SquadsPage } from './SquadsPage';
import { component, fakeApis, release, squad } from '../../__testUtils__/fakes';

describe('SquadsPage', () => {
  it('lists every squad with members, services, dead letters and drift', async () => {
    const apis = fakeApis({
      releases: [
        release('card-clearing', 'squad-gemini', 7, 13),
        release('cards-api', 'squad-gemini', 0, 0),
        release('dead-letter', 'squad-nasa', 3, 8),
      ],
      deadLetters: {
        dev: [
          { service: 'card-clearing', squad: 'squad-gemini', count: 43870 },
          { service: 'dead-letter', squad: 'squad-nasa', count: 7 },
        ],
      },
    });
    await renderInTestApp(<SquadsPage />, {
      apis: [
        [
          catalogApiRef,
          catalogApiMock({
            entities: [
              squad('squad-gemini', ['ada', 'bo']),
              squad('squad-nasa', ['cecilie']),
              {
                ...squad('lunar', []),
                spec: { type: 'organization', children: [] },
              },
              component('card-clearing', 'squad-gemini'),
              component('cards-api', 'squad-gemini'),
              component('card-lib', 'squad-gemini', 'library'),
              component('dead-letter', 'squad-nasa'),
            ],
          }),
        ],
        [deadLetterApiRef, apis.deadLetterApi],
        [releaseStatusApiRef, apis.releaseApi],
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });

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
    // Organisation groups are not squads; the largest squad comes first.
    expect(screen.queryByRole('link', { name: 'lunar' })).toBeNull();
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('squad-gemini');
    expect(apis.calls.sort()).toEqual([
      'dead-letter environments',
      'dead-letter squads dev',
      'releases all',
    ]);
    // Every owner is a squad: no warning.
    expect(screen.queryByText(/not a known squad/)).toBeNull();
  });

  it('flags owners that are not in the catalog', async () => {
    const apis = fakeApis({ releases: [], deadLetters: {} });
    await renderInTestApp(<SquadsPage />, {
      apis: [
        [
          catalogApiRef,
          catalogApiMock({
            entities: [
              squad('squad-gemini', ['ada']),
              {
                ...squad('platform-guild', []),
                spec: { type: 'team', children: [] },
              },
              component('card-clearing', 'squad-gemini'),
              component('guild-tools', 'platform-guild'),
              component('payments-api-sdk', 'squad-juno'),
              component('payments-plugin-hikashop', 'squad-juno'),
            ],
          }),
        ],
        [deadLetterApiRef, apis.deadLetterApi],
        [releaseStatusApiRef, apis.releaseApi],
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });

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
    // A group that exists but is not a squad is a known owner.
    expect(screen.queryByText(/platform-guild/)).toBeNull();
  });
});
