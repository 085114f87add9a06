import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { RedeliveryDryRun } from '@internal/plugin-dead-letter-common';
import { PreviewDetails } from './PreviewDetails';

const preview: RedeliveryDryRun = {
  dryRun: true,
  previewToken: 'token',
  expiresAt: '2026-12-07T10:15:00Z',
  environment: 'dev',
  total: 1240,
  squads: ['squad-mercury'],
  rate: 50,
  ramp: null,
  etaSeconds: 24.8,
  breakdown: {
    byTarget: {
      items: [
        {
          exchange: 'bankaccount',
          routingKey: 'bankaccount.account.ReserveFundsResponseV1',
          count: 1200,
        },
        { exchange: '', routingKey: 'dev_loans', count: 30 },
      ],
      other: 10,
    },
    byService: { items: [{ service: 'term-deposit', count: 1240 }], other: 0 },
    byErrorGroup: {
      items: [
        { errorGroup: 'ctx handler: record <n> not found', count: 1000 },
        { errorGroup: null, count: 240 },
      ],
      other: 0,
    },
  },
  samples: [
    {
      id: '77',
      queue: 'dev-k8s-commandstreams_bankaccount_account_term-deposit',
      exchange: 'bankaccount',
      routingKey: 'bankaccount.account.ReserveFundsResponseV1',
      service: 'term-deposit',
      error: 'ctx handler: record 123 not found',
      deadLetteredAt: '2026-12-07T09:00:00Z',
    },
  ],
  warnings: [
    {
      code: 'queue-missing',
      message:
        "30 messages go to queue 'dev_loans' through the default exchange, and that queue no longer exists: they would fail as unroutable",
      count: 30,
      queue: 'dev_loans',
    },
  ],
  checked: { targets: true, bindings: false },
};

describe('PreviewDetails', () => {
  it('shows warnings, then each breakdown and the samples as tables', async () => {
    await renderInTestApp(<PreviewDetails preview={preview} />);
    expect(
      screen.getByText(/queue 'dev_loans' .* no longer exists/),
    ).toBeInTheDocument();
    expect(screen.getByText(/bindings cannot be checked/)).toBeInTheDocument();

    const targets = screen.getByRole('table', {
      name: 'By exchange and routing key',
    });
    const rows = within(targets).getAllByRole('row');
    // Header, two groups, "other".
    expect(rows).toHaveLength(4);
    expect(rows[1]).toHaveTextContent(
      'bankaccountbankaccount.account.ReserveFundsResponseV11,200',
    );
    expect(rows[2]).toHaveTextContent('(default exchange)dev_loans30');
    expect(rows[3]).toHaveTextContent('Other10');

    const errors = screen.getByRole('table', { name: 'By error' });
    expect(within(errors).getAllByRole('row')[1]).toHaveTextContent(
      'ctx handler: record <n> not found1,000',
    );
    expect(within(errors).getAllByRole('row')[2]).toHaveTextContent(
      '(no error)240',
    );
    expect(
      within(screen.getByRole('table', { name: 'By service' })).getAllByRole(
        'row',
      ),
    ).toHaveLength(2);

    const samples = screen.getByRole('table', { name: 'Samples (1 message)' });
    expect(within(samples).getAllByRole('row')[1]).toHaveTextContent(
      'ctx handler: record 123 not found',
    );
  });

  it('says when the broker could not be asked', async () => {
    await renderInTestApp(
      <PreviewDetails
        preview={{
          ...preview,
          warnings: [
            {
              code: 'broker-unreachable',
              message:
                'broker unreachable, targets not checked (no answer within 2000 ms)',
              count: 0,
            },
          ],
          checked: { targets: false, bindings: false },
        }}
      />,
    );
    expect(
      screen.getByText(/broker unreachable, targets not checked/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Targets were not checked on the broker/),
    ).toBeInTheDocument();
  });
});
