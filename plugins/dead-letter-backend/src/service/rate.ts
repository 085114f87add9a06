import { RedeliveryRateStep } from '@internal/plugin-dead-letter-common';

/**
 * The rate a job publishes at, `elapsedMs` after it (re)started running:
 * the ramp's steps in turn, then the target; null: no limit.
 */
export function rateAt(
  elapsedMs: number,
  target: number | null,
  ramp: RedeliveryRateStep[] | null,
): number | null {
  let until = 0;
  for (const step of ramp ?? []) {
    until += step.seconds * 1000;
    if (elapsedMs < until) return step.rate;
  }
  return target;
}

/** Seconds to publish `remaining` messages from `elapsedMs` on, ramp included. */
export function etaSeconds(
  remaining: number,
  elapsedMs: number,
  target: number,
  ramp: RedeliveryRateStep[] | null,
): number {
  let left = remaining;
  let seconds = 0;
  let at = elapsedMs / 1000;
  let stepEnd = 0;
  for (const step of ramp ?? []) {
    stepEnd += step.seconds;
    if (at >= stepEnd) continue;
    const span = stepEnd - at;
    const sent = step.rate * span;
    if (sent >= left) return seconds + left / step.rate;
    left -= sent;
    seconds += span;
    at = stepEnd;
  }
  return seconds + left / target;
}

/**
 * The pacing step: a job with a rate publishes a tenth of a second's worth
 * at a time (at least one message), not one message whenever a token is
 * there. Each step costs the same database round trips whatever its size,
 * so one message per step spent half a millisecond of backend time per
 * message at 1,000 msg/s.
 */
export const PACING_STEP_MS = 100;

/**
 * Paces publishing: tokens accrue at the rate, and at most half a second's
 * worth is saved up, so a batch that took long (a busy database or broker)
 * is caught up on, without a burst of more than half a second's messages.
 * Messages go a step's worth at a time (PACING_STEP_MS).
 */
export class TokenBucket {
  private tokens = 0;
  private last: number;

  constructor(now: number) {
    this.last = now;
  }

  /**
   * How many messages may go now at `rate` (taken from the bucket): none
   * until a step's worth (or `max`, the messages left, if fewer) is there.
   */
  take(now: number, rate: number, max: number): number {
    const burst = Math.max(1, rate / 2);
    this.tokens = Math.min(
      burst,
      this.tokens + ((now - this.last) / 1000) * rate,
    );
    this.last = now;
    const available = Math.floor(this.tokens);
    if (available < Math.min(max, stepOf(rate))) return 0;
    const n = Math.min(max, available);
    this.tokens -= n;
    return n;
  }

  /** Milliseconds until `take` gives something at `rate`, `max` messages left. */
  waitMs(rate: number, max: number): number {
    const need = Math.min(max, stepOf(rate));
    return Math.max(1, Math.ceil(((need - this.tokens) / rate) * 1000));
  }
}

/** Messages in one pacing step at `rate`. */
function stepOf(rate: number) {
  return Math.max(1, Math.floor((rate * PACING_STEP_MS) / 1000));
}
