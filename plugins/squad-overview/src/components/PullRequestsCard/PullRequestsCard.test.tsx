import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { PullRequestsResponse } from '@internal/plugin-squad-overview-common';
import { squadOverviewApiRef } from '../../api';
import { fakeSquadApi, overview, squad } from '../../__testUtils__/fakes';
import { PullRequestsCard } from './PullRequestsCard';

async function render(response: PullRequestsResponse | Error) {
  const fake = fakeSquadApi({
    overview:
      response instanceof Error
        ? response
        : overview({ pullRequests: response }),
  });
  await renderInTestApp(
    <EntityProvider entity={squad('squad-nasa', ['ada'])}>
      <PullRequestsCard />
    </EntityProvider>,
    {
      apis: [[squadOverviewApiRef, fake.api]],
    },
  );
  return fake.calls;
}

describe('PullRequestsCard', () => {
  it("lists the squad's open pull requests", async () => {
    const asked = await render({
      state: 'ok',
      repositories: 2,
      missing: ['lunarway/deleted-repo'],
      items: [
        {
          repository: 'lunarway/authentication',
          number: 412,
          title: 'Rotate signing keys without downtime',
          url: 'https://github.com/lunarway/authentication/pull/412',
          author: 'ada',
          draft: false,
          updatedAt: '2026-11-30T14:05:11.000Z',
          entityRefs: ['component:default/authentication'],
        },
        {
          repository: 'lunarway/dead-letter',
          number: 77,
          title: 'Passkeys',
          url: 'https://github.com/lunarway/dead-letter/pull/77',
          author: null,
          draft: true,
          updatedAt: '2026-11-29T07:30:00.000Z',
          entityRefs: [],
        },
      ],
    });
    expect(asked).toEqual(['overview group:default/squad-nasa']);
    const link = await screen.findByRole('link', { name: /#412/ });
    expect(link).toHaveAttribute(
      'href',
      'https://github.com/lunarway/authentication/pull/412',
    );
    const row = screen
      .getAllByRole('row')
      .find(r => r.textContent?.includes('#77'))!;
    expect(within(row).getByText('(draft)')).toBeInTheDocument();
    expect(within(row).getByText('lunarway/dead-letter')).toBeInTheDocument();
    expect(within(row).getByText('ghost')).toBeInTheDocument();
    expect(
      screen.getByText('GitHub does not know lunarway/deleted-repo.'),
    ).toBeInTheDocument();
  });

  it('says how to configure GitHub when it is not', async () => {
    await render({
      state: 'not-configured',
      message: 'No GitHub integration for github.com: add integrations.github',
      items: [],
      repositories: 0,
      missing: [],
    });
    expect(
      await screen.findByText('Open pull requests need GitHub'),
    ).toBeInTheDocument();
    expect(screen.getByText(/add integrations\.github/)).toBeInTheDocument();
  });

  it("shows GitHub's refusal", async () => {
    await render({
      state: 'error',
      message: 'GitHub answered 401: Bad credentials',
      items: [],
      repositories: 3,
      missing: [],
    });
    expect(
      await screen.findByText(/GitHub could not be asked for pull requests/),
    ).toBeInTheDocument();
  });
});
