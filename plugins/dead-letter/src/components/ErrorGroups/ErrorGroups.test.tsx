import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  DeadLetterFilter,
  DeadLetterSelection,
  ErrorGroup,
} from '@internal/plugin-dead-letter-common';
import {
  DeadLetterApi,
  deadLetterApiRef,
} from '@internal/plugin-dead-letter-react';
import { ErrorGroups } from './ErrorGroups';

interface Row {
  service: string;
  squad: string;
  error: string;
  id: string;
}

/** Stored messages the fake groups, counts and deletes like the backend. */
function fakeApi(rows: Row[]) {
  const matches = (row: Row, filter: DeadLetterFilter) =>
    (!filter.service || row.service === filter.service) &&
    (!filter.error || row.error.includes(filter.error));
  const fake = {
    rows,
    deletes: [] as DeadLetterSelection[],
    errorGroups: async (_env: string, service?: string) => {
      const groups = new Map<string, ErrorGroup>();
      for (const row of fake.rows) {
        if (service && row.service !== service) continue;
        const key = `${row.service}\u0000${row.error}`;
        const group = groups.get(key) ?? {
          service: row.service,
          squad: row.squad,
          error: row.error,
          count: 0,
          newest: '2026-11-22T09:00:00Z',
          sampleId: row.id,
        };
        group.count += 1;
        groups.set(key, group);
      }
      return [...groups.values()].sort((a, b) => b.count - a.count);
    },
    list: async (_env: string, filter: DeadLetterFilter) => ({
      items: [],
      totalCount: fake.rows.filter(r => matches(r, filter)).length,
      nextCursor: null,
    }),
    delete: async (selection: DeadLetterSelection) => {
      fake.deletes.push(selection);
      const before = fake.rows.length;
      fake.rows = fake.rows.filter(r => !matches(r, selection.filter!));
      return { deleted: before - fake.rows.length };
    },
  };
  return fake;
}

const rows: Row[] = [
  ...[1, 2, 3].map(i => ({
    service: 'bankaccount',
    squad: 'squad-mercury',
    error: 'ctx handler: insufficient_funds',
    id: `b${i}`,
  })),
  {
    service: 'bankaccount',
    squad: 'squad-mercury',
    error: 'ctx handler: record not found',
    id: 'b4',
  },
  ...[1, 2].map(i => ({
    service: 'card-clearing',
    squad: 'squad-gemini',
    error: 'ctx handler: timeout',
    id: `c${i}`,
  })),
];

async function render(api: ReturnType<typeof fakeApi>, service?: string) {
  return renderInTestApp(<ErrorGroups environment="dev" service={service} />, {
    apis: [
      [deadLetterApiRef, api as unknown as DeadLetterApi],
      [
        permissionApiRef,
        // The user is in squad-mercury: only its service's messages.
        mockApis.permission({
          authorize: request =>
            'resourceRef' in request && request.resourceRef?.startsWith('b')
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
        }),
      ],
    ],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
}

describe('ErrorGroups', () => {
  it('groups an environment by service and error, with per-squad actions', async () => {
    const api = fakeApi(rows);
    await render(api);
    expect(await screen.findByText('Error groups in dev')).toBeInTheDocument();

    const table = screen.getAllByRole('row');
    const largest = table.find(r => within(r).queryByText('3'))!;
    expect(
      within(largest).getByText('ctx handler: insufficient_funds'),
    ).toBeInTheDocument();
    expect(
      within(largest).getByRole('link', { name: 'bankaccount' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/bankaccount/dead-letter',
    );

    // squad-gemini's group is not the user's to act on, and says why.
    const foreign = screen.getByRole('button', {
      name: 'Delete group: card-clearing, ctx handler: timeout',
    });
    await waitFor(() => expect(foreign).toBeDisabled());

    const own = screen.getByRole('button', {
      name: 'Delete group: bankaccount, ctx handler: insufficient_funds',
    });
    await waitFor(() => expect(own).toBeEnabled());
    await userEvent.click(own);
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(
      'You are about to delete 3 messages of bankaccount whose error contains this text. Deleted messages go to the archive',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete' }),
    );

    expect(await screen.findByRole('status')).toHaveTextContent('3 deleted.');
    expect(api.deletes).toEqual([
      {
        environment: 'dev',
        filter: {
          service: 'bankaccount',
          error: 'ctx handler: insufficient_funds',
        },
      },
    ]);
    // The table reloads: the group is gone, the others stay.
    await waitFor(() =>
      expect(
        screen.queryByText('ctx handler: insufficient_funds'),
      ).not.toBeInTheDocument(),
    );
    expect(
      screen.getByText('ctx handler: record not found'),
    ).toBeInTheDocument();
    expect(screen.getByText('ctx handler: timeout')).toBeInTheDocument();
  });

  it("shows one service's groups without service columns", async () => {
    await render(fakeApi(rows), 'card-clearing');
    expect(await screen.findByText('ctx handler: timeout')).toBeInTheDocument();
    expect(screen.queryByText('ctx handler: record not found')).toBeNull();
    expect(screen.queryByRole('columnheader', { name: 'Service' })).toBeNull();
  });

  it('says so when there is nothing', async () => {
    await render(fakeApi([]));
    expect(
      await screen.findByText('No dead letters for any service in dev'),
    ).toBeInTheDocument();
  });
});
