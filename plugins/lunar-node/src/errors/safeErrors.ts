import { randomBytes } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  NotModifiedError,
  ServiceUnavailableError,
  isError,
} from '@backstage/errors';
import { ErrorRequestHandler } from 'express';
import { isDatabaseConnectionError } from './databaseErrors';
import { containsUnsafeDetail } from './unsafeText';

/** Seconds a client is told to wait when the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** What a caller is told when the database cannot be reached. */
export const DATABASE_UNAVAILABLE_MESSAGE =
  'The database is unavailable right now; try again in a few seconds';

/**
 * A 503 for a lost or unreachable database, with a message that names no
 * statement, table, column or server. Carries no `cause`: Backstage's
 * error handler serializes the cause chain into the response body.
 */
export class DatabaseUnavailableError extends ServiceUnavailableError {
  readonly retryAfterSeconds = DATABASE_RETRY_AFTER_SECONDS;
  constructor() {
    super(DATABASE_UNAVAILABLE_MESSAGE);
    // Shown even where Backstage includes stacks (NODE_ENV=development).
    delete this.stack;
  }
}

/** Errors our code throws on purpose, whose message is meant for the caller. */
const CALLER_ERRORS = new Set<string>(
  [
    InputError,
    AuthenticationError,
    NotAllowedError,
    NotFoundError,
    ConflictError,
    NotModifiedError,
  ].map(e => e.name),
);

function statusOf(error: Error): number | undefined {
  for (const field of ['statusCode', 'status']) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (Number.isInteger(value) && (value as number) >= 100) {
      return value as number;
    }
  }
  return undefined;
}

/** A fresh reference for an error that is logged but not shown. */
export function newErrorReference(): string {
  return randomBytes(6).toString('hex');
}

/**
 * The same error without its cause chain and extra properties. Backstage's
 * errors append "; caused by <cause>" to their message; that goes too.
 */
function bare(error: Error, status?: number): Error {
  let message = error.message;
  if (error.cause !== undefined) {
    const at = message.indexOf('; caused by ');
    if (at >= 0) message = message.slice(0, at);
  }
  const copy = new Error(message);
  copy.name = error.name;
  delete copy.stack;
  if (status !== undefined) {
    (copy as Error & { statusCode?: number }).statusCode = status;
  }
  return copy;
}

/**
 * Turns any error into one that is safe to show a caller:
 * - a lost or unreachable database becomes a {@link DatabaseUnavailableError}
 *   (503 with Retry-After);
 * - an error meant for the caller (InputError, NotFoundError, ..., or any
 *   error with a 4xx status such as a malformed JSON body) keeps its name
 *   and message but loses its cause;
 * - anything else becomes a 500 saying only "internal error" and a
 *   reference; the real error is logged with that reference.
 */
export function toSafeError(
  error: unknown,
  options: { logger: LoggerService; context?: string },
): Error {
  const { logger, context = 'Request' } = options;
  if (error instanceof DatabaseUnavailableError) return error;
  if (isDatabaseConnectionError(error)) {
    logger.warn(`${context} failed: the database is unavailable`, {
      code: String((error as { code?: unknown })?.code ?? ''),
      reason: isError(error) ? error.message : String(error),
    });
    return new DatabaseUnavailableError();
  }
  if (isError(error)) {
    const status = statusOf(error);
    const forCaller = CALLER_ERRORS.has(error.name) && (status ?? 400) < 500;
    if (forCaller || (status !== undefined && status >= 400 && status < 500)) {
      const copy = bare(error, forCaller ? undefined : status);
      if (containsUnsafeDetail(copy.message)) {
        copy.message = 'The request could not be processed';
      }
      return copy;
    }
  }
  const reference = newErrorReference();
  logger.error(
    `${context} failed with an internal error, reference ${reference}`,
    isError(error) ? error : new Error(String(error)),
  );
  const internal = new Error(
    `An internal error occurred (reference ${reference}); it has been logged`,
  );
  internal.name = 'InternalError';
  delete internal.stack;
  return internal;
}

/**
 * Express error middleware for a plugin's router: rewrites the error with
 * {@link toSafeError}, sets `Retry-After` on a 503, and passes it on to
 * Backstage's error handler, which writes the response. Mount it last in
 * the router.
 */
export function createSafeErrorMiddleware(options: {
  logger: LoggerService;
}): ErrorRequestHandler {
  return (error, req, res, next) => {
    const safe = toSafeError(error, {
      logger: options.logger,
      context: `${req.method} ${req.baseUrl}${req.path}`,
    });
    if (safe instanceof DatabaseUnavailableError && !res.headersSent) {
      res.setHeader('Retry-After', String(safe.retryAfterSeconds));
    }
    next(safe);
  };
}
