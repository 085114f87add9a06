import {
  LUNAR_ANNOTATIONS,
  isDeadLetterAlertFloor,
  isDeadLetterAlertMultiplier,
  isDeadLetterAlertTime,
} from '@internal/plugin-lunar-common';
import { AlertThresholds } from '../config';

/** How far back a service's normal is taken, and an error group counts as seen. */
export const LOOKBACK_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A service's alert settings: the environment's, overridden by its catalog entity. */
export interface ServiceAlertSettings extends AlertThresholds {
  /** No incident is opened or grows louder before this time. */
  mutedUntil: Date | null;
}

/**
 * The environment's thresholds overridden by the service's annotations
 * (`lunar.app/dead-letter-alert-floor`, `-multiplier`, `-muted-until`).
 * A value that does not parse is reported through `warn` and ignored.
 */
export function serviceAlertSettings(
  environment: AlertThresholds,
  annotations: Record<string, string> | undefined,
  warn: (message: string) => void,
): ServiceAlertSettings {
  const settings: ServiceAlertSettings = { ...environment, mutedUntil: null };
  const floor = annotations?.[LUNAR_ANNOTATIONS.deadLetterAlertFloor];
  if (floor !== undefined) {
    const n = Number(floor);
    if (floor.trim() !== '' && isDeadLetterAlertFloor(n)) settings.floor = n;
    else
      warn(
        `${LUNAR_ANNOTATIONS.deadLetterAlertFloor}: '${floor}' is not a whole number of messages`,
      );
  }
  const multiplier = annotations?.[LUNAR_ANNOTATIONS.deadLetterAlertMultiplier];
  if (multiplier !== undefined) {
    const n = Number(multiplier);
    if (multiplier.trim() !== '' && isDeadLetterAlertMultiplier(n))
      settings.multiplier = n;
    else
      warn(
        `${LUNAR_ANNOTATIONS.deadLetterAlertMultiplier}: '${multiplier}' is not a number of at least 1`,
      );
  }
  const muted = annotations?.[LUNAR_ANNOTATIONS.deadLetterAlertMutedUntil];
  if (muted !== undefined) {
    if (isDeadLetterAlertTime(muted)) settings.mutedUntil = new Date(muted);
    else
      warn(
        `${LUNAR_ANNOTATIONS.deadLetterAlertMutedUntil}: '${muted}' is not a time`,
      );
  }
  return settings;
}

/** Whether the service is muted at `now`. */
export const isMuted = (settings: ServiceAlertSettings, now: Date) =>
  settings.mutedUntil !== null && settings.mutedUntil > now;

/** A service's window measured against its normal. */
export interface SpikeEvaluation {
  /** Average messages per window over the lookback. */
  baseline: number;
  /** The count a window has to exceed: the floor, or `multiplier` x baseline if higher. */
  threshold: number;
  /** Whether the window's count exceeds it. */
  spiking: boolean;
}

/**
 * Spike rule: the window's count is above both the floor and `multiplier`
 * times the baseline, the service's average count per window over the
 * lookback (`before` messages in {@link LOOKBACK_DAYS} days).
 */
export function evaluateSpike(input: {
  current: number;
  before: number;
  windowMinutes: number;
  settings: AlertThresholds;
}): SpikeEvaluation {
  const windows = (LOOKBACK_DAYS * DAY_MS) / (input.windowMinutes * 60_000);
  const baseline = input.before / windows;
  const threshold = Math.max(
    input.settings.floor,
    input.settings.multiplier * baseline,
  );
  return { baseline, threshold, spiking: input.current > threshold };
}

/**
 * New error group rule: the group has messages in the window and none in
 * the lookback before it (never seen for the service, or not for
 * {@link LOOKBACK_DAYS} days).
 */
export const isNewErrorGroup = (group: { current: number; before: number }) =>
  group.current > 0 && group.before === 0;

/** What to do with an open incident after a run measured it again. */
export type OpenIncidentStep = 'resolve' | 'grow' | 'update';

/**
 * Resolved: back under its threshold for a window (`active` false). Grown:
 * the count people were told about has at least doubled, which is worth a
 * new look (the update marks the notification unread again); muted
 * services only get their counts updated.
 */
export function openIncidentStep(input: {
  active: boolean;
  count: number;
  notifiedCount: number;
  muted: boolean;
}): OpenIncidentStep {
  if (!input.active) return 'resolve';
  if (!input.muted && input.count >= 2 * Math.max(1, input.notifiedCount))
    return 'grow';
  return 'update';
}
