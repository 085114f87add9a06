import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { JsonObject } from '@backstage/types';
import { ReleaseStatus } from '@internal/plugin-release-status-common';
import {
  ReleaseStatusApi,
  releaseStatusApiRef,
} from '@internal/plugin-release-status-react';
import { ReleasesContent } from './ReleasesContent';
import { status } from '../../__testUtils__/fixtures';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'card-clearing', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/squad-gemini' },
};

/** A typed stand-in that answers from `answers` in turn and records calls. */
function fakeApi(...answers: Array<ReleaseStatus | Error>) {
  const calls: Array<{ ref: string; refresh?: boolean }> = [];
  const api: ReleaseStatusApi = {
    status: async (ref, options) => {
      calls.push({ ref, refresh: options?.refresh ?? false });
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer;
    },
    refresh: async ref => {
      calls.push({ ref, refresh: true });
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer;
    },
    overview: async () => {
      throw new Error('not used');
    },
  };
  return { api, calls };
}

function render(api: ReleaseStatusApi, config: JsonObject = {}) {
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <ReleasesContent />
    </EntityProvider>,
    {
      apis: [[releaseStatusApiRef, api]],
      config,
    },
  );
}

// The table and user events take seconds on a busy machine, beyond Jest's
// default 5 s.
jest.setTimeout(20_000);

describe('ReleasesContent', () => {
  it('shows each environment with drift, what prod lacks and the policies', async () => {
    const { api, calls } = fakeApi(status());
    await render(api);
    expect(
      await screen.findByText('In dev, staging, not yet in prod'),
    ).toBeInTheDocument();
    const prod = screen.getByRole('row', { name: /^prod/ });
    expect(
      within(prod).getByText('7 commits (13 days) behind master'),
    ).toBeInTheDocument();
    expect(within(prod).getByText('Promote from staging')).toBeInTheDocument();
    expect(within(prod).getByRole('link', { name: /a300000/ })).toHaveAttribute(
      'href',
      'https://github.com/lunarway/card-clearing/commit/a3',
    );
    const dev = screen.getByRole('row', { name: /^dev/ });
    expect(
      within(dev).getByText('1 commit (1 hour) behind master'),
    ).toBeInTheDocument();
    expect(
      within(dev).getByText('master-d100000000-67e9d69164'),
    ).toBeInTheDocument();
    expect(within(dev).getByText('Bo Lindqvist')).toBeInTheDocument();
    expect(
      within(
        screen.getByRole('list', { name: 'Auto-release policies' }),
      ).getByText('dev'),
    ).toBeInTheDocument();
    expect(calls).toEqual([
      { ref: 'component:default/card-clearing', refresh: false },
    ]);
  });

  it('colours drift by the configured thresholds', async () => {
    const { api } = fakeApi(status());
    await render(api, {
      releaseStatus: {
        driftThresholds: {
          warning: { commits: 1, days: 100 },
          error: { commits: 5, days: 100 },
        },
      },
    });
    const badge = (text: string) =>
      screen.getByText(text).closest('[data-severity]');
    await screen.findByText('7 commits (13 days) behind master');
    expect(badge('7 commits (13 days) behind master')).toHaveAttribute(
      'data-severity',
      'error',
    );
    expect(badge('4 commits (3 days) behind master')).toHaveAttribute(
      'data-severity',
      'warning',
    );
    expect(badge('1 commit (1 hour) behind master')).toHaveAttribute(
      'data-severity',
      'warning',
    );
  });

  it('says which source is missing and refreshes on request', async () => {
    const withoutRm = status({
      sources: [
        {
          source: 'release-manager',
          state: 'not-configured',
          message:
            'release-manager is not configured (releaseStatus.releaseManager)',
        },
        { source: 'git', state: 'ok' },
      ],
      autoReleasePolicies: [],
    });
    const { api, calls } = fakeApi(withoutRm);
    await render(api);
    expect(
      await screen.findByText(/release-manager: not configured/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Auto-release policies come from release-manager/),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(calls.map(c => c.refresh)).toEqual([false, true]);
  });

  it('says when a status is not computed yet, and the last refresh error', async () => {
    const { api } = fakeApi(
      status({
        environments: [],
        sources: [],
        computedAt: null,
        freshness: {
          state: 'pending',
          checkedAt: null,
          lastError: 'release-manager: unreachable',
          lastErrorAt: new Date(0).toISOString(),
        },
      }),
    );
    await render(api);
    expect(await screen.findByText('Not computed yet')).toBeInTheDocument();
    expect(screen.getByText('being computed')).toBeInTheDocument();
    expect(
      screen.getByText('Last refresh: release-manager: unreachable'),
    ).toBeInTheDocument();
  });

  it('has an empty state and an error state', async () => {
    const { api } = fakeApi(
      status({
        environments: [],
        sources: [
          {
            source: 'release-manager',
            state: 'unknown-service',
            message: 'release-manager does not know service card-clearing',
          },
          { source: 'git', state: 'ok' },
        ],
      }),
    );
    await render(api);
    expect(
      await screen.findByText('Not released to any environment'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/release-manager: does not know this service/),
    ).toBeInTheDocument();

    const failing = fakeApi(new Error('release-status backend is down'));
    await render(failing.api);
    expect(
      (await screen.findAllByText(/release-status backend is down/)).length,
    ).toBeGreaterThan(0);
  });
});
