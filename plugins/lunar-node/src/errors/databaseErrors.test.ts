import { isDatabaseConnectionError } from './databaseErrors';

const withCode = (message: string, code: string) =>
  Object.assign(new Error(message), { code });

describe('isDatabaseConnectionError', () => {
  it.each([
    [
      'an administrator shutdown, as knex wraps it',
      withCode(
        'select "id" from "dead_letters" - terminating connection due to administrator command',
        '57P01',
      ),
    ],
    ['a broken link', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a refused connection', withCode('connect ECONNREFUSED', 'ECONNREFUSED')],
    ['a connection failure', withCode('connection failure', '08006')],
    [
      'pg losing the connection',
      new Error('select 1 - Connection terminated unexpectedly'),
    ],
    [
      'a full pool',
      Object.assign(new Error('Knex: Timeout acquiring a connection.'), {
        name: 'KnexTimeoutError',
      }),
    ],
    [
      "a connect attempt's AggregateError",
      new AggregateError([
        withCode('connect ECONNREFUSED ::1', 'ECONNREFUSED'),
      ]),
    ],
    [
      'a cause chain',
      new Error('store failed', {
        cause: withCode('terminating connection', '57P01'),
      }),
    ],
  ])('recognises %s', (_, error) => {
    expect(isDatabaseConnectionError(error)).toBe(true);
  });

  it.each([
    ['a syntax error', withCode('select frm - syntax error', '42601')],
    ['a missing table', withCode('relation "x" does not exist', '42P01')],
    ['a unique violation', withCode('duplicate key value', '23505')],
    ['a plain error', new Error('boom')],
    ['not an error', 'ECONNRESET'],
    ['nothing', undefined],
  ])('does not take %s for a lost connection', (_, error) => {
    expect(isDatabaseConnectionError(error)).toBe(false);
  });
});
