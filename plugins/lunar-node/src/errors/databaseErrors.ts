/**
 * Error codes that mean the connection to the database is gone or cannot be
 * made, as opposed to a query the database refused. PostgreSQL's class 08
 * (connection exception), 57P01-57P03 (administrator shutdown, crash
 * shutdown, cannot connect now), 53300 (too many connections), and the
 * socket errors Node.js reports.
 */
const CONNECTION_CODES = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08007',
  '08P01',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** Messages of pg and knex that carry no code but mean the same. */
const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /timeout exceeded when trying to connect/i,
  /terminating connection due to/i,
  /Timeout acquiring a connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /server closed the connection unexpectedly/i,
  /Unable to acquire a connection/i,
];

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object'
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * True when `error` means the database cannot be reached or dropped the
 * connection (knex and pg errors, including knex's "statement - reason"
 * wrapping, AggregateErrors of a connect attempt and `cause` chains).
 */
export function isDatabaseConnectionError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (value: unknown): boolean => {
    const e = asRecord(value);
    if (!e || seen.has(e)) return false;
    seen.add(e);
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) {
      return true;
    }
    if (e.name === 'KnexTimeoutError') return true;
    if (
      typeof e.message === 'string' &&
      CONNECTION_MESSAGES.some(re => re.test(e.message as string))
    ) {
      return true;
    }
    if (Array.isArray(e.errors) && e.errors.some(visit)) return true;
    return visit(e.cause);
  };
  return visit(error);
}
