import { DEFAULT_SERVICE_PATTERN } from '../config';
import {
  AmqpMessage,
  decodeDeadLetter,
  serviceFromQueue,
  toJsonSafe,
} from './decode';

const options = {
  environment: 'dev',
  errorHeader: 'x-error',
  servicePattern: new RegExp(DEFAULT_SERVICE_PATTERN),
  maxBodyBytes: 1024,
  now: new Date('2026-11-22T10:00:00.000Z'),
};

/** A delivery shaped like what RabbitMQ hands the dead-letter consumer. */
function deadLettered(
  overrides: Partial<AmqpMessage['properties']> = {},
  content = Buffer.from('{"amount":100}'),
): AmqpMessage {
  return {
    content,
    fields: { redelivered: false, exchange: '', routingKey: 'dead-letters' },
    properties: {
      messageId: 'msg-1',
      correlationId: 'corr-1',
      contentType: 'application/json',
      headers: {
        'x-error': 'ctx handler: insufficient_funds: insufficient funds',
        'x-first-death-queue':
          'dev-k8s-commandstreams_bankaccount_account_term-deposit',
        'x-first-death-reason': 'rejected',
        'x-first-death-exchange': 'bankaccount',
        'x-death': [
          {
            count: 1,
            reason: 'rejected',
            queue: 'dev-k8s-commandstreams_bankaccount_account_term-deposit',
            time: { '!': 'timestamp', value: 1795000000 },
            exchange: 'bankaccount',
            'routing-keys': ['bankaccount.account.ReserveFundsResponseV1'],
          },
        ],
      },
      ...overrides,
    },
  };
}

describe('decodeDeadLetter', () => {
  it('reads the first death, service, error and ids', () => {
    const row = decodeDeadLetter(deadLettered(), options);
    expect(row).toMatchObject({
      environment: 'dev',
      queue: 'dev-k8s-commandstreams_bankaccount_account_term-deposit',
      exchange: 'bankaccount',
      routingKey: 'bankaccount.account.ReserveFundsResponseV1',
      reason: 'rejected',
      service: 'term-deposit',
      messageId: 'msg-1',
      correlationId: 'corr-1',
      error: 'ctx handler: insufficient_funds: insufficient funds',
      deadLetteredAt: new Date(1795000000 * 1000).toISOString(),
      receivedAt: '2026-11-22T10:00:00.000Z',
      redeliveryCount: 0,
      bodySize: 14,
      bodyTruncated: false,
    });
    expect(row.properties).toEqual({
      messageId: 'msg-1',
      correlationId: 'corr-1',
      contentType: 'application/json',
    });
    expect(row.body.toString()).toBe('{"amount":100}');
  });

  it('gives the same key to a redelivered copy and a different one to another message', () => {
    const a = decodeDeadLetter(deadLettered(), options);
    const again = decodeDeadLetter(
      {
        ...deadLettered(),
        fields: { redelivered: true, exchange: '', routingKey: 'x' },
      },
      { ...options, now: new Date() },
    );
    const other = decodeDeadLetter(
      deadLettered({ messageId: 'msg-2' }),
      options,
    );
    const otherBody = decodeDeadLetter(
      deadLettered({}, Buffer.from('{"amount":101}')),
      options,
    );
    expect(again.dedupKey).toBe(a.dedupKey);
    expect(other.dedupKey).not.toBe(a.dedupKey);
    expect(otherBody.dedupKey).not.toBe(a.dedupKey);
  });

  it('falls back to the dead-letter reason when there is no error header', () => {
    const message = deadLettered();
    delete message.properties.headers!['x-error'];
    expect(decodeDeadLetter(message, options).error).toBe('rejected');
  });

  it('stores poison messages with whatever can be read', () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]);
    const row = decodeDeadLetter(
      {
        content: binary,
        fields: {
          redelivered: false,
          exchange: '',
          routingKey: 'dead-letters',
        },
        properties: {
          headers: {
            'x-death': 'not a list',
            odd: Buffer.from([1, 2]),
            nested: { deep: [1, { n: NaN }] },
          },
        },
      },
      options,
    );
    expect(row).toMatchObject({
      queue: null,
      exchange: null,
      service: null,
      error: null,
      messageId: null,
      deadLetteredAt: options.now.toISOString(),
    });
    expect(row.body.equals(binary)).toBe(true);
    expect(row.headers).toEqual({
      'x-death': 'not a list',
      odd: { $base64: 'AQI=' },
      nested: { deep: [1, { n: 'NaN' }] },
    });
    // No headers at all.
    const bare = decodeDeadLetter(
      {
        content: Buffer.alloc(0),
        fields: { redelivered: false, exchange: '', routingKey: 'q' },
        properties: {},
      },
      options,
    );
    expect(bare).toMatchObject({ bodySize: 0, headers: {}, routingKey: 'q' });
  });

  it('cuts and flags bodies over the limit', () => {
    const row = decodeDeadLetter(
      deadLettered({}, Buffer.alloc(5000, 'a')),
      options,
    );
    expect(row).toMatchObject({ bodySize: 5000, bodyTruncated: true });
    expect(row.body.length).toBe(1024);
  });

  it('reads our redelivery count', () => {
    const message = deadLettered();
    message.properties.headers!['x-dead-letter-redeliveries'] = 2;
    expect(decodeDeadLetter(message, options).redeliveryCount).toBe(2);
  });
});

describe('serviceFromQueue', () => {
  const pattern = new RegExp(DEFAULT_SERVICE_PATTERN);
  it.each([
    ['dev-k8s-commandstreams_bankaccount_account_term-deposit', 'term-deposit'],
    ['card-clearing_settlement_bankaccount', 'bankaccount'],
    ['authentication', 'authentication'],
  ])('%s -> %s', (queue, service) => {
    expect(serviceFromQueue(queue, pattern)).toBe(service);
  });
  it('uses a configured pattern', () => {
    expect(
      serviceFromQueue('svc.payments.dlq', /^svc\.(?<service>[^.]+)\./),
    ).toBe('payments');
  });
});

describe('toJsonSafe', () => {
  it('keeps JSON values and encodes the rest', () => {
    expect(
      toJsonSafe({
        a: 1,
        b: 'x',
        c: [true, null],
        d: new Date(0),
        e: BigInt(5),
      }),
    ).toEqual({
      a: 1,
      b: 'x',
      c: [true, null],
      d: '1970-01-01T00:00:00.000Z',
      e: '5',
    });
  });
});
