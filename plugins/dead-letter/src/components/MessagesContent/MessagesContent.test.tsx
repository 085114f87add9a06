import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  CreateRedeliveryRequest,
  DeadLetteredMessage,
  DeadLetterFilter,
  DeadLetterSelection,
  EnvironmentStatus,
  RedeliveryJob,
  serviceDeadLettersPath,
} from '@internal/plugin-dead-letter-common';
import {
  DeadLetterApi,
  deadLetterApiRef,
} from '@internal/plugin-dead-letter-react';
import { MessagesContent } from './MessagesContent';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'card-clearing', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/squad-gemini' },
};

const message = (i: number): DeadLetteredMessage => ({
  id: String(i),
  environment: 'dev',
  queue: 'dev-k8s-events_card-clearing',
  exchange: 'dev.lunar.events',
  routingKey: 'card.transaction.ClearedV1',
  messageId: `msg-${i}`,
  correlationId: `corr-${i}`,
  service: 'card-clearing',
  squad: 'squad-gemini',
  error: 'ctx handler: timeout calling card-scheme',
  reason: 'rejected',
  deadLetteredAt: new Date(Date.UTC(2026, 10, 22, 9, i)).toISOString(),
  receivedAt: new Date().toISOString(),
  redeliveryCount: 0,
  bodySize: 10,
  logsUrl: `https://logs.example/?q=${i}`,
});

/** A typed in-memory stand-in for the backend. */
function fakeApi(
  state: EnvironmentStatus['state'] = 'consuming',
  ids = [1, 2, 3],
): DeadLetterApi & {
  rows: DeadLetteredMessage[];
  deleted: DeadLetterSelection[];
  created: CreateRedeliveryRequest[];
  controlled: string[];
  /** The tokens of the dry runs answered, in order. */
  previews: string[];
} {
  /** Jobs run at once in this stand-in: queued, then done when asked. */
  const job = (
    request: CreateRedeliveryRequest,
    jobState: RedeliveryJob['state'],
  ): RedeliveryJob => {
    const total = request.ids?.length ?? 3;
    const done = jobState === 'done';
    return {
      id: '41',
      environment: request.environment,
      state: jobState,
      createdBy: 'user:default/guest',
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      selection: request.ids
        ? { ids: request.ids.length }
        : { filter: request.filter ?? {} },
      squads: ['squad-gemini'],
      services: ['card-clearing'],
      rate: request.rate ?? 100,
      ramp: request.ramp ?? null,
      error: null,
      pausedReason: null,
      progress: {
        total,
        published: done ? total - 1 : 0,
        failed: done ? 1 : 0,
        failedByReason: done ? { unroutable: 1 } : {},
        remaining: done ? 0 : total,
        duplicateWindow: 0,
        refailed: 0,
        currentRate: 0,
        etaSeconds: null,
        previewed: null,
        arrivedAfterPreview: 0,
        goneSincePreview: 0,
      },
    };
  };
  const fake = {
    rows: ids.map(message),
    deleted: [] as DeadLetterSelection[],
    created: [] as CreateRedeliveryRequest[],
    controlled: [] as string[],
    environments: async () => [
      {
        name: 'dev',
        queue: 'dead-letters',
        state,
        reason:
          state === 'paused' ? 'database unavailable: ECONNREFUSED' : null,
        stored: 3,
        logsUrlTemplate: null,
        retention: { days: 30, lastRunAt: null, lastPurged: null },
      },
    ],
    list: async () => ({
      items: fake.rows,
      totalCount: fake.rows.length,
      nextCursor: null,
    }),
    get: async () => {
      throw new Error('not used');
    },
    squadOverview: async () => [],
    serviceOverview: async () => [],
    errorGroups: async () => [],
    histogram: async () => ({ from: '', hours: 1, buckets: [] }),
    redeliver: async () => ({ redelivered: 0, failed: [] }),
    listArchive: async () => ({ items: [], totalCount: 0, nextCursor: null }),
    restore: async () => ({ restored: [], skipped: [] }),
    previews: [] as string[],
    previewRedelivery: async (request: CreateRedeliveryRequest) => ({
      dryRun: true as const,
      previewToken:
        fake.previews[
          fake.previews.push(`preview-${fake.previews.length + 1}`) - 1
        ],
      expiresAt: '2026-12-07T10:15:00Z',
      environment: request.environment,
      total: request.ids?.length ?? fake.rows.length,
      squads: ['squad-gemini'],
      rate: request.rate ?? 100,
      ramp: request.ramp ?? null,
      etaSeconds: 120,
      breakdown: {
        byTarget: { items: [], other: 0 },
        byService: { items: [], other: 0 },
        byErrorGroup: { items: [], other: 0 },
      },
      samples: [],
      warnings: [],
      checked: { targets: true, bindings: false as const },
    }),
    createRedelivery: async (request: CreateRedeliveryRequest) => {
      fake.created.push(request);
      return job(request, 'queued');
    },
    redeliveries: async () => ({
      items: fake.created.map(r => job(r, 'done')),
    }),
    redelivery: async () => job(fake.created[0], 'done'),
    controlRedelivery: async (id: string, action: string) => {
      fake.controlled.push(`${id} ${action}`);
      return job(fake.created[0], 'paused');
    },
    delete: async (selection: DeadLetterSelection) => {
      fake.deleted.push(selection);
      const gone = selection.ids ?? [];
      fake.rows = fake.rows.filter(r => !gone.includes(r.id));
      return { deleted: gone.length };
    },
  };
  return fake;
}

function render(api: DeadLetterApi, allowed = true, path?: string) {
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <MessagesContent />
    </EntityProvider>,
    {
      apis: [
        [deadLetterApiRef, api],
        [
          permissionApiRef,
          mockApis.permission({
            authorize: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
          }),
        ],
      ],
      ...(path && { initialRouteEntries: [path] }),
    },
  );
}

describe('MessagesContent', () => {
  it('lists messages and deletes a selection after confirming', async () => {
    const api = fakeApi();
    await render(api);
    expect(await screen.findByText('msg-1')).toBeInTheDocument();
    expect(screen.getByText('corr-3')).toBeInTheDocument();
    expect(screen.getByText(/1[-–]3 of 3/)).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select message msg-1' }),
    );
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select message msg-2' }),
    );
    expect(screen.getByText('2 row(s) selected')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));

    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(
      'You are about to delete 2 messages. Deleted messages go to the archive',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete' }),
    );

    expect(await screen.findByText(/2 deleted\./)).toBeInTheDocument();
    expect(api.deleted).toEqual([{ environment: 'dev', ids: ['1', '2'] }]);
    await waitFor(() =>
      expect(screen.queryByText('msg-1')).not.toBeInTheDocument(),
    );
    expect(screen.getByText('msg-3')).toBeInTheDocument();
  });

  it('redelivers as a job at the chosen rate after a preview, and reports how it ended', async () => {
    const api = fakeApi('consuming', [31, 32, 33]);
    await render(api);
    await userEvent.click(
      await screen.findByRole('checkbox', { name: 'Select message msg-31' }),
    );
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select message msg-32' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Redeliver' }));

    const dialog = await screen.findByRole('dialog');
    // The environment's default rate, from the backend's dry run.
    const rate = within(dialog).getByLabelText('Rate (messages per second)');
    await waitFor(() => expect(rate).toHaveValue(100));
    expect(
      await within(dialog).findByLabelText('Redelivery preview'),
    ).toHaveTextContent('2 messages of squad-gemini');
    await userEvent.clear(rate);
    await userEvent.type(rate, '20');
    await userEvent.click(
      within(dialog).getByRole('checkbox', { name: /Start slowly/ }),
    );
    await waitFor(() =>
      expect(
        within(dialog).getByLabelText('Redelivery preview'),
      ).toHaveTextContent('at up to 20 per second after a slow start'),
    );
    // The preview on screen is the latest asked for.
    const shown = api.previews[api.previews.length - 1];
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Redeliver' }),
    );

    expect(api.created).toEqual([
      {
        environment: 'dev',
        ids: ['31', '32'],
        rate: 20,
        ramp: [
          { rate: 1, seconds: 30 },
          { rate: 2, seconds: 30 },
        ],
        // The job takes exactly what the (latest) preview showed.
        previewToken: shown,
      },
    ]);
    // Followed until it ends: the job's counts and failure reasons.
    expect(
      await screen.findByText(
        /Redelivery job 41 queued: 0 of 2 redelivered at up to 20 messages per second\. Follow it under Redeliveries\./,
      ),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        /1 redelivered, 1 failed\./,
        {},
        { timeout: 3000 },
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('1 message failed: unroutable'),
    ).toBeInTheDocument();
    // No dry run after the confirm: it would have replaced the preview
    // whose token the job was being created with.
    expect(api.previews[api.previews.length - 1]).toBe(shown);
  });

  it('disables actions the user may not take, saying why', async () => {
    // Other ids than the first test: permission decisions are cached per
    // message.
    await render(fakeApi('consuming', [11, 12, 13]), false);
    await screen.findByText('msg-11');
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Redeliver all 3' }),
      ).toBeDisabled(),
    );
    expect(screen.getByRole('button', { name: 'Delete all 3' })).toBeDisabled();
    await userEvent.hover(
      screen.getByRole('button', { name: 'Redeliver all 3' }).parentElement!,
    );
    expect(
      await screen.findByText(
        /only members of the squad that owns the service/,
      ),
    ).toBeInTheDocument();
  });

  it("lists the time range a link names (an alert's), and can clear it", async () => {
    const api = fakeApi();
    const filters: Array<DeadLetterFilter> = [];
    const list = api.list;
    api.list = async (environment, filter, page) => {
      filters.push(filter);
      return list(environment, filter, page);
    };
    await render(
      api,
      true,
      serviceDeadLettersPath('card-clearing', 'dev', {
        from: '2026-12-07T14:10:00Z',
        to: '2026-12-07T14:17:00Z',
      }),
    );
    expect(await screen.findByText('msg-1')).toBeInTheDocument();
    expect(filters[0]).toEqual({
      service: 'card-clearing',
      from: '2026-12-07T14:10:00.000Z',
      to: '2026-12-07T14:17:00.000Z',
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    await waitFor(() =>
      expect(filters[filters.length - 1]).toEqual({ service: 'card-clearing' }),
    );
  });

  it('shows a paused consumer instead of passing for an empty table', async () => {
    const api = fakeApi('paused');
    api.rows = [];
    await render(api);
    expect(
      await screen.findByText(/The dev consumer is paused/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/database unavailable: ECONNREFUSED/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No dead letters for card-clearing in dev'),
    ).toBeInTheDocument();
  });

  it('labels sample data and turns its actions off, saying why', async () => {
    // Permission allows; the environment being sample data is the reason.
    await render(fakeApi('sample', [21, 22]));
    expect(
      await screen.findByText(/Sample data: dev is not connected to RabbitMQ/),
    ).toBeInTheDocument();
    await screen.findByText('msg-21');
    const redeliver = screen.getByRole('button', { name: 'Redeliver all 2' });
    await waitFor(() => expect(redeliver).toBeDisabled());
    expect(screen.getByRole('button', { name: 'Delete all 2' })).toBeDisabled();
    await userEvent.hover(redeliver.parentElement!);
    expect(
      await screen.findByText(
        /dev shows sample messages: redeliver and delete/,
      ),
    ).toBeInTheDocument();
  });
});
