import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { DeadLetterHistogram } from '@internal/plugin-dead-letter-common';
import {
  DeadLetterApi,
  deadLetterApiRef,
} from '@internal/plugin-dead-letter-react';
import {
  EnvironmentRelease,
  ReleaseOverview,
  ReleaseStatus,
} from '@internal/plugin-release-status-common';
import {
  ReleaseStatusApi,
  releaseStatusApiRef,
} from '@internal/plugin-release-status-react';
import { HourlyChart } from './HourlyChart';

// 4 hours from 10:00 UTC: the chart is 840 wide, 210 per hour.
const histogram: DeadLetterHistogram = {
  from: '2026-12-07T10:00:00.000Z',
  hours: 4,
  buckets: [
    { hour: '2026-12-07T10', key: 'card-clearing', count: 2 },
    { hour: '2026-12-07T12', key: 'card-clearing', count: 40 },
  ],
};

function release(
  environment: string,
  releasedAt: string | null,
  sha: string | null = '9f3c2a1d5e6f',
): EnvironmentRelease {
  return {
    environment,
    sha,
    artifactId: sha ? `master-${sha.slice(0, 10)}-67e9d69164` : null,
    commitUrl: null,
    author: 'Ada',
    message: 'Fix',
    committedAt: null,
    releasedAt,
    releasedBy: 'Ada',
    intent: null,
    buildUrl: null,
    drift: null,
  };
}

function status(
  service: string,
  environments: EnvironmentRelease[],
): ReleaseStatus {
  return {
    entityRef: `component:default/${service}`,
    service,
    owner: 'group:default/squad-nasa',
    defaultBranch: 'master',
    head: null,
    environments,
    autoReleasePolicies: [],
    sources: [],
    generatedAt: '2026-12-07T14:00:00.000Z',
  };
}

async function render(
  releases: ReleaseStatusApi['overview'],
  props: { squad?: string } = {},
) {
  const deadLetters = {
    histogram: jest.fn(async () => histogram),
  } as unknown as DeadLetterApi;
  const overview = jest.fn(releases);
  await renderInTestApp(
    <HourlyChart
      environment="prod"
      groupBy={props.squad ? 'service' : 'squad'}
      squad={props.squad}
    />,
    {
      apis: [
        [deadLetterApiRef, deadLetters],
        [releaseStatusApiRef, { overview } as unknown as ReleaseStatusApi],
      ],
    },
  );
  await screen.findByRole('img');
  return { overview };
}

describe('HourlyChart release markers', () => {
  it("draws a marker per release to the chart's environment at its time, with a tooltip", async () => {
    const answer: ReleaseOverview = {
      environments: ['dev', 'staging', 'prod'],
      items: [
        status('card-clearing', [
          // 11:30 in dev: another environment, no marker.
          release('dev', '2026-12-07T11:30:00.000Z', 'aaaaaaa111'),
          // 12:00 in prod: half-way, x = 420.
          release('prod', '2026-12-07T12:00:00.000Z'),
        ]),
        // 10:15 in prod: x = 52.5.
        status('authentication', [
          release('prod', '2026-12-07T10:15:00.000Z', null),
        ]),
        // Before the chart's window: no marker.
        status('bankaccount', [
          release('prod', '2026-12-07T09:59:00.000Z', 'bbbbbbb222'),
        ]),
        // Never released to prod.
        status('term-deposit', [release('staging', '2026-12-07T12:30:00Z')]),
      ],
    };
    const { overview } = await render(async () => answer, {
      squad: 'squad-nasa',
    });
    expect(overview).toHaveBeenCalledWith({ owner: 'squad-nasa' });

    const markers = await screen.findAllByTestId('release-marker');
    expect(
      markers.map(m => [
        m.getAttribute('data-service'),
        m.getAttribute('data-x'),
        m.querySelector('title')?.textContent,
      ]),
    ).toEqual([
      [
        'authentication',
        '52.5',
        'authentication (unknown version) released to prod at 2026-12-07 10:15 UTC by Ada',
      ],
      [
        'card-clearing',
        '420.0',
        'card-clearing 9f3c2a1 released to prod at 2026-12-07 12:00 UTC by Ada',
      ],
    ]);
    expect(markers[1].querySelector('line')?.getAttribute('x1')).toBe('420');
    expect(screen.getByText(/2 releases to prod/)).toBeInTheDocument();
    expect(screen.queryByRole('note')).toBeNull();
  });

  it("asks for every component's releases on the environment page", async () => {
    const { overview } = await render(async () => ({
      environments: ['prod'],
      items: [status('bankaccount', [release('prod', '2026-12-07T13:00:00Z')])],
    }));
    expect(overview).toHaveBeenCalledWith({});
    const [marker] = await screen.findAllByTestId('release-marker');
    // 13:00 is three quarters of the way: x = 630.
    expect(marker.getAttribute('data-x')).toBe('630.0');
    expect(screen.getByText(/1 release to prod/)).toBeInTheDocument();
  });

  it('shows the chart without markers and a note when release-status fails', async () => {
    await render(async () => {
      throw new Error('release-status backend is down');
    });
    expect(
      await screen.findByText(
        /Release markers are not shown: release-status backend is down/,
      ),
    ).toBeInTheDocument();
    // The bars are still there.
    expect(screen.getByRole('img')).toBeInTheDocument();
    expect(screen.getByText(/42 in total/)).toBeInTheDocument();
    expect(screen.queryAllByTestId('release-marker')).toHaveLength(0);
  });
});
