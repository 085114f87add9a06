import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { ReleaseStatus } from '@internal/plugin-release-status-common';
import {
  ReleaseStatusApi,
  releaseStatusApiRef,
} from '@internal/plugin-release-status-react';
import { ReleaseDriftCard } from './ReleaseDriftCard';
import { env, status } from '../../__testUtils__/fixtures';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'card-clearing',
    namespace: 'default',
    annotations: { 'lunar.app/release-manager-service': 'card-clearing' },
  },
  spec: { type: 'service', owner: 'group:default/squad-gemini' },
};

/** A typed stand-in answering `answer` and recording the refs asked for. */
function fakeApi(answer: ReleaseStatus | Error) {
  const calls: string[] = [];
  const api: ReleaseStatusApi = {
    status: async ref => {
      calls.push(ref);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    overview: async () => {
      throw new Error('not used');
    },
    refresh: async () => {
      throw new Error('not used');
    },
  };
  return { api, calls };
}

function render(api: ReleaseStatusApi) {
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <ReleaseDriftCard />
    </EntityProvider>,
    {
      apis: [[releaseStatusApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

describe('ReleaseDriftCard', () => {
  it('shows the drift of each environment and links to the Releases tab', async () => {
    const { api, calls } = fakeApi(status());
    await render(api);
    const list = await screen.findByRole('list', {
      name: 'Release drift per environment',
    });
    const items = within(list).getAllByRole('listitem');
    expect(
      items.map(i => within(i).getByText(/^(dev|staging|prod)$/).textContent),
    ).toEqual(['dev', 'staging', 'prod']);
    expect(
      within(items[0]).getByText('1 commit (1 hour) behind master'),
    ).toBeInTheDocument();
    expect(
      within(items[1]).getByText('4 commits (3 days) behind master'),
    ).toBeInTheDocument();
    expect(
      within(items[2]).getByText('7 commits (13 days) behind master'),
    ).toBeInTheDocument();
    // The released commit's short sha.
    expect(within(items[2]).getByText('a300000')).toBeInTheDocument();
    expect(
      screen.getByText('In dev, staging, not yet in prod'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /All environments/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/card-clearing/releases',
    );
    expect(calls).toEqual(['component:default/card-clearing']);
  });

  it('says when drift of an environment is unknown', async () => {
    const { api } = fakeApi(
      status({
        environments: [
          env('dev', 'd1', 0),
          {
            ...env('prod', 'a3', 0),
            drift: null,
            driftError: "The repository has no 'prod' tag",
          },
        ],
      }),
    );
    await render(api);
    const list = await screen.findByRole('list', {
      name: 'Release drift per environment',
    });
    const [dev, prod] = within(list).getAllByRole('listitem');
    expect(within(dev).getByText('up to date with master')).toBeInTheDocument();
    expect(within(prod).getByText('drift unknown')).toBeInTheDocument();
  });

  it('says why nothing is released when a source is not configured', async () => {
    const { api } = fakeApi(
      status({
        environments: [],
        sources: [
          {
            source: 'release-manager',
            state: 'not-configured',
            message:
              'release-manager is not configured (releaseStatus.releaseManager)',
          },
          { source: 'git', state: 'ok' },
        ],
      }),
    );
    await render(api);
    expect(
      await screen.findByText(
        'Not released to any environment (release-manager is not configured (releaseStatus.releaseManager)).',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('list', { name: 'Release drift per environment' }),
    ).toBeNull();
  });

  it('shows an error when the backend fails', async () => {
    const { api } = fakeApi(new Error('release-status backend is down'));
    await render(api);
    expect(
      (await screen.findAllByText(/release-status backend is down/)).length,
    ).toBeGreaterThan(0);
  });
});
