import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ArchivedDeadLetter,
  EnvironmentStatus,
  RestoreRequest,
} from '@internal/plugin-dead-letter-common';
import {
  DeadLetterApi,
  deadLetterApiRef,
} from '@internal/plugin-dead-letter-react';
import { ArchiveContent } from './ArchiveContent';

const environment: EnvironmentStatus = {
  name: 'dev',
  queue: 'dead-letters',
  state: 'consuming',
  reason: null,
  stored: 0,
  logsUrlTemplate: null,
  retention: { days: 30, lastRunAt: null, lastPurged: null },
};

const archived = (i: number): ArchivedDeadLetter => ({
  id: String(i),
  environment: 'dev',
  queue: 'dev-k8s-events_card-clearing',
  exchange: 'dev.lunar.events',
  routingKey: 'card.transaction.ClearedV1',
  messageId: `msg-${i}`,
  correlationId: null,
  service: 'card-clearing',
  squad: 'squad-gemini',
  error: 'ctx handler: timeout calling card-scheme',
  reason: 'rejected',
  deadLetteredAt: '2026-11-22T09:00:00.000Z',
  receivedAt: '2026-11-22T09:00:01.000Z',
  redeliveryCount: 0,
  bodySize: 10,
  logsUrl: null,
  archiveReason: i % 2 ? 'deleted' : 'redelivered',
  archivedBy: 'user:default/mette.hansen',
  archivedAt: '2026-12-07T08:00:00.000Z',
  expiresAt: '2026-12-21T08:00:00.000Z',
});

/** The archive part of the backend, in memory. */
function fakeApi(ids: number[], failList = false) {
  const fake = {
    rows: ids.map(archived),
    restores: [] as RestoreRequest[],
    listArchive: async (_env: string, filter: { archiveReason?: string }) => {
      if (failList) throw new Error('database unavailable');
      const items = fake.rows.filter(
        r => !filter.archiveReason || r.archiveReason === filter.archiveReason,
      );
      return { items, totalCount: items.length, nextCursor: null };
    },
    restore: async (request: RestoreRequest) => {
      fake.restores.push(request);
      fake.rows = fake.rows.filter(r => !request.ids.includes(r.id));
      return {
        restored: request.ids.slice(0, 1),
        skipped: request.ids
          .slice(1)
          .map(id => ({ id, reason: 'already-present' as const })),
      };
    },
  };
  return fake;
}

function render(api: Partial<DeadLetterApi>, allowed = true) {
  return renderInTestApp(<ArchiveContent environment={environment} />, {
    apis: [
      [deadLetterApiRef, api as DeadLetterApi],
      [
        permissionApiRef,
        mockApis.permission({
          authorize: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        }),
      ],
    ],
  });
}

describe('ArchiveContent', () => {
  it('lists archived messages with why, who and until when, and restores a selection after confirming', async () => {
    const api = fakeApi([1, 2, 3]);
    await render(api);
    expect(await screen.findByText('msg-1')).toBeInTheDocument();
    expect(screen.getAllByText('deleted')).toHaveLength(2);
    expect(screen.getByText('redelivered')).toBeInTheDocument();
    expect(screen.getAllByText('mette.hansen')).toHaveLength(3);
    expect(
      screen.getAllByText(
        new Date('2026-12-21T08:00:00.000Z').toLocaleString(),
      ),
    ).toHaveLength(3);

    const restore = screen.getByRole('button', { name: 'Restore' });
    expect(restore).toBeDisabled();
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select archived message msg-1' }),
    );
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select archived message msg-3' }),
    );
    expect(screen.getByText('2 row(s) selected')).toBeInTheDocument();
    await waitFor(() => expect(restore).toBeEnabled());
    await userEvent.click(restore);

    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(
      'You are about to restore 2 messages to the dead letters of dev',
    );
    // Cancel restores nothing.
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.restores).toEqual([]);

    await userEvent.click(screen.getByRole('button', { name: 'Restore' }));
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Restore',
      }),
    );
    expect(await screen.findByRole('status')).toHaveTextContent(
      '1 restored, 1 not restored.',
    );
    expect(
      screen.getByText(/3: already among the dead letters/),
    ).toBeInTheDocument();
    expect(api.restores).toEqual([{ environment: 'dev', ids: ['1', '3'] }]);
    // Reloaded: what was restored left the archive.
    await waitFor(() =>
      expect(screen.queryByText('msg-1')).not.toBeInTheDocument(),
    );
    expect(screen.getByText('msg-2')).toBeInTheDocument();
  });

  it('keeps Restore off, saying why, for someone who may not delete the messages', async () => {
    await render(fakeApi([11]), false);
    await userEvent.click(
      await screen.findByRole('checkbox', {
        name: 'Select archived message msg-11',
      }),
    );
    const restore = screen.getByRole('button', { name: 'Restore' });
    await waitFor(() => expect(restore).toBeDisabled());
    await userEvent.hover(restore.parentElement!);
    expect(
      await screen.findByText(
        /only members of the squad that owns the service/,
      ),
    ).toBeInTheDocument();
  });

  it('filters by reason', async () => {
    await render(fakeApi([1, 2, 3]));
    expect(await screen.findByText('msg-2')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /Reason/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Redelivered' }),
    );
    await waitFor(() =>
      expect(screen.queryByText('msg-1')).not.toBeInTheDocument(),
    );
    expect(screen.getByText('msg-2')).toBeInTheDocument();
    expect(screen.queryByText('msg-3')).not.toBeInTheDocument();
  });

  it('says when nothing is archived', async () => {
    await render(fakeApi([]));
    expect(
      await screen.findByText('Nothing archived in dev'),
    ).toBeInTheDocument();
  });

  it('shows why the archive could not be loaded', async () => {
    await render(fakeApi([1], true));
    expect(
      (await screen.findAllByText(/database unavailable/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByText('msg-1')).not.toBeInTheDocument();
  });
});
