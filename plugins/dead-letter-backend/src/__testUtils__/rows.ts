import {
  NewDeadLetter,
  RedeliverableDeadLetter,
} from '../database/DeadLetterStore';

let seq = 0;

/**
 * A stored-to-be dead letter of term-deposit (squad-mercury) with a
 * unique key and message id; `overrides` change any field.
 */
export function newDeadLetter(
  overrides: Partial<NewDeadLetter> = {},
): NewDeadLetter {
  seq += 1;
  return {
    dedupKey: `key-${seq}`,
    environment: 'dev',
    queue: 'q_term-deposit',
    exchange: 'bankaccount',
    routingKey: 'bankaccount.account.ReserveFundsResponseV1',
    reason: 'rejected',
    service: 'term-deposit',
    squad: 'squad-mercury',
    messageId: `m-${seq}`,
    correlationId: null,
    error: 'ctx handler: record not found',
    deadLetteredAt: new Date(
      Date.UTC(2026, 10, 22, 10, 0, seq % 60),
    ).toISOString(),
    receivedAt: new Date().toISOString(),
    redeliveryCount: 0,
    headers: { 'x-death': [{ count: 1 }] },
    properties: { messageId: `m-${seq}` },
    body: Buffer.from([0, 1, 2, 255]),
    bodySize: 4,
    bodyTruncated: false,
    ...overrides,
  };
}

/**
 * A stored message as a redelivery reads it, for the default exchange to
 * `queue`: body `{"n":<id>}`, messageId `m-<id>` unless given.
 */
export function redeliverable(
  id: string,
  queue: string,
  over: { headers?: Record<string, unknown>; messageId?: string } = {},
): RedeliverableDeadLetter {
  return {
    id,
    exchange: '',
    routingKey: queue,
    body: Buffer.from(`{"n":${id}}`),
    bodyTruncated: false,
    redeliveryCount: 0,
    headers: over.headers ?? {},
    properties: { messageId: over.messageId ?? `m-${id}` },
  };
}
