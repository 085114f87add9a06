import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { RedeliveryJob } from '@internal/plugin-dead-letter-common';
import {
  DeadLetterApi,
  deadLetterApiRef,
} from '@internal/plugin-dead-letter-react';
import { RedeliveriesTable } from './RedeliveriesTable';

function job(id: string, overrides: Partial<RedeliveryJob>): RedeliveryJob {
  return {
    id,
    environment: 'dev',
    state: 'running',
    createdBy: 'user:default/mette.hansen',
    createdAt: '2026-12-07T09:00:00Z',
    updatedAt: '2026-12-07T09:00:00Z',
    startedAt: '2026-12-07T09:00:01Z',
    finishedAt: null,
    selection: { filter: { service: 'term-deposit' } },
    squads: ['squad-mercury'],
    services: ['term-deposit'],
    rate: 50,
    ramp: null,
    error: null,
    pausedReason: null,
    progress: {
      total: 1000,
      published: 400,
      failed: 0,
      failedByReason: {},
      remaining: 600,
      duplicateWindow: 0,
      refailed: 0,
      currentRate: 49.6,
      etaSeconds: 12,
      previewed: null,
      arrivedAfterPreview: 0,
      goneSincePreview: 0,
    },
    ...overrides,
  };
}

/** Jobs that move on each time they are asked for, as a running job does. */
function fakeApi() {
  let asked = 0;
  const controlled: string[] = [];
  const jobs = () => [
    job('2', {
      progress: {
        ...job('2', {}).progress,
        published: 400 + 100 * asked,
        remaining: 600 - 100 * asked,
      },
    }),
    job('1', {
      state: 'done',
      selection: { ids: 3 },
      squads: ['squad-gemini'],
      services: ['card-clearing'],
      rate: null,
      progress: {
        total: 3,
        published: 2,
        failed: 1,
        failedByReason: { unroutable: 1 },
        remaining: 0,
        duplicateWindow: 0,
        refailed: 0,
        currentRate: 0,
        etaSeconds: null,
        previewed: null,
        arrivedAfterPreview: 0,
        goneSincePreview: 0,
      },
    }),
  ];
  const api = {
    redeliveries: async () => {
      asked += 1;
      return { items: jobs() };
    },
    controlRedelivery: async (id: string, action: string) => {
      controlled.push(`${action} ${id}`);
      if (action === 'cancel')
        throw Object.assign(new Error('Forbidden'), {
          body: {
            error: { message: 'not allowed to cancel redelivery job 2' },
          },
        });
      return job(id, { state: 'paused' });
    },
  } as unknown as DeadLetterApi;
  return { api, controlled };
}

describe('RedeliveriesTable', () => {
  it('shows jobs live, newest first, and pauses one', async () => {
    const { api, controlled } = fakeApi();
    await renderInTestApp(<RedeliveriesTable environment="dev" />, {
      apis: [[deadLetterApiRef, api]],
    });
    expect(
      await screen.findByText('service: term-deposit'),
    ).toBeInTheDocument();
    expect(screen.getByText('3 selected messages')).toBeInTheDocument();
    expect(screen.getByText(/2 of 3 redelivered/)).toBeInTheDocument();
    // A running job is asked for again: its progress moves.
    const first = Number(
      /(\d+) of 1,000 redelivered/.exec(document.body.textContent!)![1],
    );
    await waitFor(
      () => {
        const now = Number(
          /(\d+) of 1,000 redelivered/.exec(document.body.textContent!)![1],
        );
        expect(now).toBeGreaterThan(first);
      },
      { timeout: 5000 },
    );
    expect(screen.getByText('(target 50/s)')).toBeInTheDocument();
    // Finished jobs offer nothing to steer.
    expect(
      screen.queryByRole('button', { name: 'Pause job 1' }),
    ).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Pause job 2' }));
    expect(controlled).toEqual(['pause 2']);
    await userEvent.click(screen.getByRole('button', { name: 'Cancel job 2' }));
    expect(
      await screen.findByText(
        /Could not cancel job 2: not allowed to cancel redelivery job 2/,
      ),
    ).toBeInTheDocument();
  });

  it("narrows to a squad's or a service's jobs", async () => {
    const { api } = fakeApi();
    await renderInTestApp(
      <RedeliveriesTable environment="dev" service="card-clearing" />,
      { apis: [[deadLetterApiRef, api]] },
    );
    expect(await screen.findByText('3 selected messages')).toBeInTheDocument();
    expect(screen.queryByText('service: term-deposit')).not.toBeInTheDocument();
  });
});
