import { LoggerService } from '@backstage/backend-plugin-api';
import { isDatabaseConnectionError } from '../errors/databaseErrors';
import { DatabaseUnavailableError } from '../errors/safeErrors';

/** Options of {@link retryOnConnectionLoss}. */
export interface RetryOptions {
  logger?: LoggerService;
  /** Pause before the retry, so the pool drops its broken connections. */
  delayMs?: number;
}

/**
 * Runs a read; when it fails because the database connection was lost,
 * runs it once more (knex has by then discarded the broken connection, so
 * the retry gets a fresh one). Still failing for the same reason: a
 * {@link DatabaseUnavailableError} (503). Any other error is thrown as is.
 *
 * Only for reads. A write whose connection broke may or may not have been
 * committed; running it again could redeliver a message twice or delete
 * what a newer message now occupies. Writes surface the 503 and the caller
 * decides.
 */
export async function retryOnConnectionLoss<T>(
  read: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  try {
    return await read();
  } catch (first) {
    if (!isDatabaseConnectionError(first)) throw first;
    options.logger?.warn(
      'Database connection lost during a read; retrying once on a fresh connection',
    );
    await new Promise(r => setTimeout(r, options.delayMs ?? 100));
    try {
      return await read();
    } catch (second) {
      if (isDatabaseConnectionError(second)) {
        options.logger?.warn('Database still unavailable after a retry', {
          reason: (second as Error)?.message,
        });
        throw new DatabaseUnavailableError();
      }
      throw second;
    }
  }
}

type AsyncMethodKeys<T> = {
  [K in keyof T]: T[K] extends (...args: any[]) => Promise<any> ? K : never;
}[keyof T];

/**
 * `target` with the named read methods wrapped in
 * {@link retryOnConnectionLoss}; every other method is untouched (writes
 * are not retried, see there).
 */
export function withReadRetries<T extends object>(
  target: T,
  reads: ReadonlyArray<AsyncMethodKeys<T>>,
  options: RetryOptions = {},
): T {
  const wrapped = new Set<PropertyKey>(reads);
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver);
      if (!wrapped.has(key) || typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        retryOnConnectionLoss(() => value.apply(obj, args), options);
    },
  });
}
