/** What an incident is about: a service's rate, or one of its error groups. */
export type IncidentKind = 'spike' | 'error-group';

/** Whether an incident is going on. */
export type IncidentState = 'open' | 'resolved';

/** A time range of dead-lettered times: from (inclusive) to (exclusive). */
export interface DetectionWindow {
  /** Start of the 7-day lookback before the window. */
  lookbackFrom: Date;
  /** Start of the alert window (the end of the lookback). */
  windowFrom: Date;
  /** End of the alert window (now). */
  to: Date;
}

/** A service's dead letters (stored and archived) in the window and the lookback. */
export interface ServiceActivity {
  service: string;
  /** Messages dead-lettered in the window. */
  current: number;
  /** Messages dead-lettered in the lookback before it. */
  before: number;
  /** First and last message in the window (ISO). */
  firstAt: string;
  lastAt: string;
  /** A squad the window's messages were stored with, if any. */
  squad: string | null;
}

/** An error group of a service with messages in the window. */
export interface ErrorGroupActivity {
  service: string;
  errorGroup: string;
  /** Messages of the group in the window. */
  current: number;
  /** Messages of the group in the lookback before it (0: a new group). */
  before: number;
  firstAt: string;
  lastAt: string;
  squad: string | null;
}

/** The identity of an incident: one row per key, reopened when it recurs. */
export interface IncidentKey {
  environment: string;
  service: string;
  kind: IncidentKind;
  /** The error group of an `error-group` incident; null for a spike. */
  errorGroup: string | null;
}

/** What the detection records about an incident's latest evaluation. */
export interface IncidentCounts {
  squad: string | null;
  /** ISO times of the incident's first and latest message. */
  firstSeenAt: string;
  lastSeenAt: string;
  /** Messages in the latest window. */
  windowCount: number;
  /** Most messages in one window since it opened. */
  peakCount: number;
  /** Messages since firstSeenAt. */
  total: number;
  /** Average messages per window over the lookback (spikes; 0 otherwise). */
  baseline: number;
  /** The count a window had to exceed. */
  threshold: number;
}

/** A stored incident. */
export interface Incident extends IncidentKey, IncidentCounts {
  id: string;
  state: IncidentState;
  /** ISO times. */
  openedAt: string;
  resolvedAt: string | null;
  /** What the last notification said; null: none sent. */
  notifiedState: IncidentState | null;
  /** The count the last notification reported. */
  notifiedCount: number;
  /** Bumped by every change; a change names the version it was made from. */
  version: number;
}

/** A change to an incident (state, counts, what was notified). */
export type IncidentChange = Partial<
  IncidentCounts &
    Pick<
      Incident,
      'state' | 'openedAt' | 'resolvedAt' | 'notifiedState' | 'notifiedCount'
    >
>;

/**
 * The queries and the incident state of the alert detection
 * (src/service/IncidentDetector.ts). Counts include archived (deleted or
 * redelivered) messages: removing messages changes nothing about what
 * happened.
 */
export interface IncidentStore {
  /** Services with messages in the window, with their lookback counts. */
  serviceActivity(
    environment: string,
    window: DetectionWindow,
  ): Promise<ServiceActivity[]>;
  /** Error groups with messages in the window, with their lookback counts. */
  errorGroupActivity(
    environment: string,
    window: DetectionWindow,
  ): Promise<ErrorGroupActivity[]>;
  /** Messages of a service (and error group, if given) dead-lettered from `since` to `to`. */
  countBetween(
    environment: string,
    service: string,
    errorGroup: string | null,
    since: Date,
    to: Date,
  ): Promise<number>;
  /** An environment's open incidents. */
  openIncidents(environment: string): Promise<Incident[]>;
  /**
   * Opens the incident (a new row, or its resolved row again) with the
   * given counts and notification claim; null when it is already open,
   * for example because another detection opened it first.
   */
  open(
    key: IncidentKey,
    counts: IncidentCounts,
    change: Pick<Incident, 'openedAt' | 'notifiedState' | 'notifiedCount'>,
  ): Promise<Incident | null>;
  /**
   * Applies the change if the incident is still at `version`; the updated
   * incident, or null when another detection changed it first.
   */
  update(
    id: string,
    version: number,
    change: IncidentChange,
  ): Promise<Incident | null>;
}
