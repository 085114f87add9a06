/**
 * Backend plumbing shared by Lunar's backend plugins.
 *
 * @packageDocumentation
 */
export { isDatabaseConnectionError } from './errors/databaseErrors';
export { containsUnsafeDetail } from './errors/unsafeText';
export {
  DATABASE_RETRY_AFTER_SECONDS,
  DATABASE_UNAVAILABLE_MESSAGE,
  DatabaseUnavailableError,
  createSafeErrorMiddleware,
  newErrorReference,
  toSafeError,
} from './errors/safeErrors';
export { guardActionErrors } from './errors/actionErrors';
export { parseInput } from './http/parseInput';
export {
  lunarDatabaseServiceFactory,
  withMigrationLock,
} from './database/migrate';
export {
  retryOnConnectionLoss,
  withReadRetries,
  type RetryOptions,
} from './database/retryReads';
export {
  LunarRootHealthService,
  databaseReadinessCheck,
  readinessChecksServiceRef,
  rootHealthServiceFactory,
  type ReadinessCheck,
  type ReadinessChecksService,
} from './health/readiness';
export { PromiseCache } from './cache/PromiseCache';
export {
  CachedUserInfoService,
  cachedUserInfoServiceFactory,
} from './auth/cachedUserInfo';
export { backoffDelay, sleepBackoff } from './amqp/backoff';
export {
  ReconnectingAmqpConsumer,
  type AmqpConsumerState,
  type AmqpConsumerStatus,
  type ReconnectingAmqpConsumerOptions,
} from './amqp/ReconnectingAmqpConsumer';
export { runGit, type GitAuthor, type RunGitOptions } from './git/runGit';
