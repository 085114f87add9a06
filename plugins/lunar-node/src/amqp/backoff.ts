/** The first delay of the backoff, in milliseconds. */
const FIRST_DELAY_MS = 500;
/** The longest delay of the backoff, in milliseconds. */
const MAX_DELAY_MS = 30_000;

/**
 * Lunar's one backoff policy for reconnecting to a broker and retrying a
 * failed store: 0.5 s before the first retry, doubling per failed attempt,
 * at most 30 s. `attempt` counts from 0.
 */
export function backoffDelay(attempt: number): number {
  // 2 ** 6 * 0.5 s is past the cap already: no need for larger powers.
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 6);
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** exponent);
}

/** Waits the backoff delay of `attempt` (see {@link backoffDelay}). */
export function sleepBackoff(attempt: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, backoffDelay(attempt)));
}
