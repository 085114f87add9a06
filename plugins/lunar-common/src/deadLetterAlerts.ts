/**
 * What a service's own dead-letter alert settings may be, wherever they are
 * written: `vars.deadLetterAlerts` in shuttle.yaml (checked by the shuttle
 * processor) and the component's annotations (read by the alerts), so a
 * value one accepts the other never refuses.
 */

/** A floor: a whole number of dead letters per window. */
export const isDeadLetterAlertFloor = (n: number) =>
  Number.isInteger(n) && n >= 0;

/** A multiplier of the service's normal: a finite number of at least 1. */
export const isDeadLetterAlertMultiplier = (n: number) =>
  Number.isFinite(n) && n >= 1;

/** A muted-until time: anything `Date.parse` reads. */
export const isDeadLetterAlertTime = (value: string) =>
  !Number.isNaN(Date.parse(value));
