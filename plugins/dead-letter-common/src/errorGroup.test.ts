import { ERROR_GROUP_MAX_LENGTH, errorGroup } from './errorGroup';

describe('errorGroup', () => {
  it.each([
    ['record 123 not found', 'record <n> not found'],
    ['ctx handler: record not found', 'ctx handler: record not found'],
    [
      'ctx handler: insufficient_funds: insufficient funds',
      'ctx handler: insufficient_funds: insufficient funds',
    ],
    [
      'account 7c9e6679-7425-40de-944b-e07fc1f90ae7 is closed',
      'account <uuid> is closed',
    ],
    [
      'account 7C9E6679-7425-40DE-944B-E07FC1F90AE7 is closed',
      'account <uuid> is closed',
    ],
    [
      'deadline exceeded at 2026-12-07T11:26:55.123Z after 30s',
      'deadline exceeded at <time> after 30s',
    ],
    [
      'event from 2026-12-07 11:26:55+01:00 is older than 2026-12-01',
      'event from <time> is older than <time>',
    ],
    [
      'user jane.doe+test@lunar.app has no consent',
      'user <email> has no consent',
    ],
    ['document 507f1f77bcf86cd799439011 missing', 'document <hex> missing'],
    ['commit 1c1508405e not released', 'commit <hex> not released'],
    ['pointer 0x7ffd5e8c is nil', 'pointer <hex> is nil'],
    [
      'dial tcp 10.0.12.7:5432: connect: connection refused',
      'dial tcp <ip>:<n>: connect: connection refused',
    ],
    ['amount -12.50 below minimum 0.01', 'amount <n> below minimum <n>'],
    [
      'unknown routing key bankaccount.account.ReserveFundsResponseV1',
      'unknown routing key bankaccount.account.ReserveFundsResponseV1',
    ],
    ['http2: stream 5 reset', 'http2: stream <n> reset'],
    ['order-991 failed', 'order-<n> failed'],
    ['id=42,retries=3', 'id=<n>,retries=<n>'],
    [
      '  ctx handler:\n\tpq: duplicate key   value  ',
      'ctx handler: pq: duplicate key value',
    ],
    ['deadbeef accepted', 'deadbeef accepted'],
    [
      'pq: duplicate key value violates unique constraint "transfers_pkey" (SQLSTATE 23505)',
      'pq: duplicate key value violates unique constraint "transfers_pkey" (SQLSTATE <n>)',
    ],
    [
      'rpc error: code = Unavailable desc = trace 4bf92f3577b34da6a3ce929d0e0e4736',
      'rpc error: code = Unavailable desc = trace <hex>',
    ],
    ['', ''],
  ])('%j -> %j', (error, group) => {
    expect(errorGroup(error)).toBe(group);
  });

  it('puts occurrences that differ only in ids in one group', () => {
    const texts = [
      'record 123 not found',
      'record 456 not found',
      'record  99999999  not found',
    ];
    expect(new Set(texts.map(errorGroup))).toEqual(
      new Set(['record <n> not found']),
    );
    expect(errorGroup('transfer 123 rejected')).not.toBe(
      errorGroup('transfer 123 not found'),
    );
  });

  it('keeps no error as no group', () => {
    expect(errorGroup(null)).toBeNull();
    expect(errorGroup(undefined)).toBeNull();
  });

  it('keeps long errors to their first characters', () => {
    const stack = `panic: runtime error\n${'at handler.go:12\n'.repeat(200)}`;
    const group = errorGroup(stack)!;
    expect(group).toHaveLength(ERROR_GROUP_MAX_LENGTH);
    expect(group.startsWith('panic: runtime error at handler.go:<n>')).toBe(
      true,
    );
  });
});
