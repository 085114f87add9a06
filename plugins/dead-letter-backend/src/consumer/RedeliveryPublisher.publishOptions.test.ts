import { StoredDeadLetterDetail } from '../database/DeadLetterStore';
import { publishOptions } from './RedeliveryPublisher';
import {
  JOB_HEADER,
  REDELIVERY_HEADER,
  REDELIVERY_ID_HEADER,
  ROW_HEADER,
} from './headers';

describe('publishOptions', () => {
  const row = (over: Partial<StoredDeadLetterDetail>) =>
    ({
      id: '42',
      redeliveryCount: 1,
      properties: {
        contentType: 'application/json',
        deliveryMode: 2,
        priority: 0,
        messageId: 'm-1',
        timestamp: 1765000000,
      },
      headers: {},
      ...over,
    } as unknown as StoredDeadLetterDetail);

  it('leaves the death headers out, restores bytes, keeps every other header as stored and adds its own', () => {
    const options = publishOptions({
      row: row({
        // As read from the database: JSON, so __proto__ is a plain key.
        headers: JSON.parse(
          JSON.stringify({
            'x-death': [{ count: 1, queue: 'q', 'routing-keys': ['a'] }],
            'x-first-death-queue': 'q',
            'x-last-death-reason': 'rejected',
            'x-error': 'record 7 not found',
            trace: {
              span: 'abc',
              raw: { $base64: Buffer.from('hi').toString('base64') },
            },
          }).replace(/^\{/, '{"__proto__":"a header, not a prototype",'),
        ),
      }),
      jobId: '9',
      redeliveryId: '1001',
    });
    const headers = options.headers as Record<string, unknown>;
    expect(Object.keys(headers).sort()).toEqual(
      [
        '__proto__',
        'trace',
        'x-error',
        REDELIVERY_HEADER,
        ROW_HEADER,
        JOB_HEADER,
        REDELIVERY_ID_HEADER,
      ].sort(),
    );
    expect(headers['x-error']).toBe('record 7 not found');
    expect((headers.trace as any).raw).toEqual(Buffer.from('hi'));
    expect(headers[REDELIVERY_HEADER]).toBe(2);
    expect(headers[ROW_HEADER]).toBe('42');
    expect(headers[JOB_HEADER]).toBe('9');
    expect(headers[REDELIVERY_ID_HEADER]).toBe('1001');
    expect(options).toMatchObject({
      mandatory: true,
      contentType: 'application/json',
      deliveryMode: 2,
      priority: 0,
      messageId: 'm-1',
      timestamp: 1765000000,
    });
    expect(options).not.toHaveProperty('correlationId');
    // amqplib encodes it (its encoder calls methods on nested tables).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { encodeProperties } = require('amqplib/lib/defs');
    expect(() => encodeProperties(60, 1, 2, options)).not.toThrow();
  });
});
