import { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { isDatabaseConnectionError } from './databaseErrors';
import { DATABASE_UNAVAILABLE_MESSAGE, newErrorReference } from './safeErrors';
import { containsUnsafeDetail } from './unsafeText';

/** An error whose `stack` is only its first line. */
function withoutFrames(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  // The scaffolder writes `String(error.stack)` into the task log.
  e.stack = `${name}: ${message}`;
  return e;
}

/**
 * Wraps a scaffolder action's handler so that what it throws into the task
 * log (which the template's user reads) carries no SQL, stack or connection
 * string. The scaffolder writes the thrown error's `stack` there, so every
 * error is rethrown with the same name and message and no stack frames; one
 * whose message is unsafe is replaced by one naming a reference, and the
 * real one goes to the backend's log (not the task log) with that
 * reference. A lost database says so.
 */
export function guardActionErrors<A extends unknown[], R>(
  actionId: string,
  logger: LoggerService,
  handler: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (error) {
      const message = isError(error) ? error.message : String(error);
      if (isDatabaseConnectionError(error)) {
        logger.warn(`${actionId} failed: the database is unavailable`, {
          reason: message,
        });
        throw withoutFrames(
          'ServiceUnavailableError',
          `${actionId} failed: ${DATABASE_UNAVAILABLE_MESSAGE}`,
        );
      }
      if (
        !isError(error) ||
        containsUnsafeDetail(message) ||
        (error.cause !== undefined &&
          containsUnsafeDetail(String((error.cause as Error)?.message ?? '')))
      ) {
        const reference = newErrorReference();
        logger.error(
          `${actionId} failed, reference ${reference}`,
          isError(error) ? error : new Error(message),
        );
        throw withoutFrames(
          isError(error) ? error.name : 'Error',
          `${actionId} failed with an internal error (reference ${reference}); it has been logged`,
        );
      }
      throw withoutFrames(error.name, message);
    }
  };
}
