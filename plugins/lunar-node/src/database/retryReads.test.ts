import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import knexFactory from 'knex';
import { DatabaseUnavailableError } from '../errors/safeErrors';
import { retryOnConnectionLoss, withReadRetries } from './retryReads';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

describe('retryOnConnectionLoss', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
  let available = false;
  beforeAll(async () => {
    available = await requirePostgres();
  });

  it('reads again on a fresh connection after PostgreSQL terminated the pooled one', async () => {
    if (!available) return;
    const db = await databases.init('POSTGRES_15');
    const admin = await databases.init('POSTGRES_15');
    const pids = new Set<number>();
    const read = async () => {
      const { rows } = await db.raw('select pg_backend_pid() as pid');
      pids.add(rows[0].pid);
      return rows[0].pid as number;
    };
    const first = await read();
    await admin.raw('select pg_terminate_backend(?)', [first]);
    // Unretried, the same read fails on the terminated connection.
    let attempts = 0;
    const second = await retryOnConnectionLoss(
      () => {
        attempts += 1;
        return read();
      },
      { logger: mockServices.logger.mock() },
    );
    expect(second).not.toBe(first);
    expect(attempts).toBeGreaterThanOrEqual(1);
  });

  it('gives up after one retry with a 503 that names nothing internal', async () => {
    const unreachable = knexFactory({
      client: 'pg',
      connection: 'postgresql://backstage:s3cret@127.0.0.1:1/backstage',
      pool: { min: 0, max: 1 },
    });
    let attempts = 0;
    try {
      const error = await retryOnConnectionLoss(() => {
        attempts += 1;
        return unreachable.raw('select 1');
      }).catch(e => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(error.message).not.toMatch(/s3cret|select|127\.0\.0\.1/);
      expect(attempts).toBe(2);
    } finally {
      await unreachable.destroy();
    }
  });

  it('does not retry other failures', async () => {
    let attempts = 0;
    const error = new Error('relation "x" does not exist');
    await expect(
      retryOnConnectionLoss(async () => {
        attempts += 1;
        throw error;
      }),
    ).rejects.toBe(error);
    expect(attempts).toBe(1);
  });
});

describe('withReadRetries', () => {
  it('retries the named reads only, never the writes', async () => {
    const lost = Object.assign(new Error('Connection terminated'), {
      code: 'ECONNRESET',
    });
    const calls = { read: 0, write: 0 };
    const store = {
      async read() {
        calls.read += 1;
        if (calls.read === 1) throw lost;
        return 'rows';
      },
      async write() {
        calls.write += 1;
        throw lost;
      },
    };
    const wrapped = withReadRetries(store, ['read'], { delayMs: 0 });
    await expect(wrapped.read()).resolves.toBe('rows');
    expect(calls.read).toBe(2);
    await expect(wrapped.write()).rejects.toBe(lost);
    expect(calls.write).toBe(1);
  });
});
