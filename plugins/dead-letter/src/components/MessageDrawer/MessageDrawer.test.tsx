import { screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  DeadLetterContentInfo,
  DeadLetteredMessage,
  DeadLetteredMessageDetail,
} from '@internal/plugin-dead-letter-common';
import {
  DeadLetterApi,
  deadLetterApiRef,
} from '@internal/plugin-dead-letter-react';
import { MessageDrawer } from './MessageDrawer';

const metadata: DeadLetteredMessage = {
  id: '42',
  environment: 'dev',
  queue: 'dev-k8s-events_card-clearing',
  exchange: 'dev.lunar.events',
  routingKey: 'card.transaction.ClearedV1',
  messageId: 'msg-42',
  correlationId: 'corr-42',
  service: 'card-clearing',
  squad: 'squad-gemini',
  error: 'ctx handler: card declined',
  reason: 'rejected',
  deadLetteredAt: new Date(Date.UTC(2026, 10, 22, 9)).toISOString(),
  receivedAt: new Date().toISOString(),
  redeliveryCount: 0,
  bodySize: 60,
  logsUrl: null,
};

const readers = ['group:default/squad-gemini', 'group:default/platform'];

const content = (info: Partial<DeadLetterContentInfo>): any => ({
  access: 'full',
  reason: null,
  readers,
  masked: [],
  bodyWithheld: false,
  ...info,
});

async function open(message: DeadLetteredMessageDetail) {
  const api = {
    get: async (id: string) => {
      expect(id).toBe('42');
      return message;
    },
  } as Partial<DeadLetterApi> as DeadLetterApi;
  await renderInTestApp(<MessageDrawer id="42" onClose={() => {}} />, {
    apis: [[deadLetterApiRef, api]],
  });
  return screen.findByRole('region', { name: 'Message details' });
}

describe('MessageDrawer', () => {
  it('shows the metadata and who can read the content, not an error', async () => {
    const drawer = await open({
      ...metadata,
      bodyTruncated: false,
      content: content({
        access: 'none',
        reason:
          "only members of squad-gemini and the configured reader groups may read this message's content",
      }),
    });
    const state = await within(drawer).findByRole('status', {
      name: 'Content restricted',
    });
    expect(state).toHaveTextContent(
      "You can see this message's metadata, not its content",
    );
    expect(state).toHaveTextContent('Members of squad-gemini, platform can.');
    // The metadata is all there.
    expect(within(drawer).getByText('msg-42')).toBeInTheDocument();
    expect(
      within(drawer).getByText('ctx handler: card declined'),
    ).toBeInTheDocument();
    // No content sections, no error panel.
    expect(within(drawer).queryByText('Headers')).not.toBeInTheDocument();
    expect(within(drawer).queryByText(/^Body/)).not.toBeInTheDocument();
    expect(screen.queryByText(/Error/i, { selector: 'h6' })).toBeNull();
  });

  it('shows masked content with a hint naming what was masked', async () => {
    const bodyText = '{"cpr":"***","amount":12.5}';
    const drawer = await open({
      ...metadata,
      bodyTruncated: false,
      content: content({
        access: 'masked',
        masked: ['$.cpr', 'header authorization'],
      }),
      headers: {
        authorization: '***',
        'x-error': 'ctx handler: card declined',
      },
      properties: { contentType: 'application/json' },
      body: btoa(bodyText),
      bodyText,
    });
    const hint = await within(drawer).findByRole('note', {
      name: 'Masked values',
    });
    expect(hint).toHaveTextContent('Masked: $.cpr, header authorization.');
    expect(within(drawer).getByText(/Body \(60 bytes, masked\)/)).toBeVisible();
    // The code snippet highlights asynchronously.
    await waitFor(() => expect(drawer).toHaveTextContent('"cpr": "***"'));
    expect(
      within(drawer).queryByRole('status', { name: 'Content restricted' }),
    ).not.toBeInTheDocument();
  });

  it('shows full content without a masked hint', async () => {
    const bodyText = '{"cpr":"0101901234"}';
    const drawer = await open({
      ...metadata,
      bodyTruncated: false,
      content: content({ access: 'full' }),
      headers: {},
      properties: {},
      body: btoa(bodyText),
      bodyText,
    });
    expect(await within(drawer).findByText(/Body \(60 bytes\)/)).toBeVisible();
    await waitFor(() =>
      expect(drawer).toHaveTextContent('"cpr": "0101901234"'),
    );
    expect(
      within(drawer).queryByRole('note', { name: 'Masked values' }),
    ).not.toBeInTheDocument();
  });

  it('says why a body is withheld', async () => {
    const drawer = await open({
      ...metadata,
      bodyTruncated: true,
      content: content({ access: 'masked', bodyWithheld: true }),
      headers: {},
      properties: {},
      body: '',
      bodyText: null,
    });
    expect(
      await within(drawer).findByText(/Body \(60 bytes, truncated, withheld\)/),
    ).toBeVisible();
    expect(
      within(drawer).getByRole('note', { name: 'Masked values' }),
    ).toHaveTextContent('The body is not shown: it should be JSON');
  });
});
