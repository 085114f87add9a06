import { DeadLetterFilter } from './types';

/** One step of a rate ramp: publish at `rate` msg/s for `seconds`. */
export interface RedeliveryRateStep {
  rate: number;
  seconds: number;
}

/**
 * queued (waiting for a replica), running, paused, cancelled (stopped by a
 * person; what was confirmed stays published), done, failed (see `error`).
 */
export type RedeliveryJobState =
  | 'queued'
  | 'running'
  | 'paused'
  | 'cancelled'
  | 'done'
  | 'failed';

/** POST /redeliveries */
export type CreateRedeliveryRequest = (
  | { environment: string; ids: string[]; filter?: never }
  | { environment: string; filter: DeadLetterFilter; ids?: never }
) & {
  /** Target messages per second; default: the environment's default rate. */
  rate?: number;
  /** Steps before the target rate, e.g. [{ rate: 1, seconds: 30 }, { rate: 10, seconds: 30 }]. */
  ramp?: RedeliveryRateStep[];
  /** Only say what the job would do; nothing is stored or published. */
  dryRun?: boolean;
  /**
   * The `previewToken` of a dry run: the job is created only if it takes
   * exactly the messages that dry run saw (else 409).
   */
  previewToken?: string;
};

/** What a job was asked to redeliver. */
export type RedeliverySelectionSummary =
  | { ids: number }
  | { filter: DeadLetterFilter };

/** A job's progress; published + failed + remaining = total. */
export interface RedeliveryProgress {
  total: number;
  published: number;
  failed: number;
  /** Failed items per reason: unroutable, refused, unknown-exchange, exchange-missing, truncated, gone, broker-error. */
  failedByReason: Record<string, number>;
  remaining: number;
  /**
   * Items published again because the replica running the job stopped
   * between a publish and its confirm being recorded: consumers may see
   * these twice (same redelivery id header).
   */
  duplicateWindow: number;
  /**
   * Published messages that came back as dead letters (they carry the
   * job's header); too many pause the job.
   */
  refailed: number;
  /** Measured messages per second (0 unless running). */
  currentRate: number;
  /** Seconds until done at the current or target rate; null unless running. */
  etaSeconds: number | null;
}

/** A redelivery job. */
export interface RedeliveryJob {
  id: string;
  environment: string;
  state: RedeliveryJobState;
  /** Entity ref of the user who created it. */
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  selection: RedeliverySelectionSummary;
  /** Squads owning the job's messages (null: messages without a squad). */
  squads: Array<string | null>;
  /** Services of the job's messages (those with a service). */
  services: string[];
  /** Target msg/s; null: as fast as the broker confirms. */
  rate: number | null;
  ramp: RedeliveryRateStep[] | null;
  progress: RedeliveryProgress;
  /** Why the job failed. */
  error: string | null;
  /** Why the job paused itself (too many re-failed); null otherwise. */
  pausedReason: string | null;
}

/** POST /redeliveries with dryRun: what the job would do. */
export interface RedeliveryDryRun {
  dryRun: true;
  /** Pass it when creating the job to get exactly these messages or a 409. */
  previewToken: string;
  environment: string;
  /** Messages the job would publish now. */
  total: number;
  squads: Array<string | null>;
  rate: number;
  ramp: RedeliveryRateStep[] | null;
  /** Seconds the job would take at the ramp and rate. */
  etaSeconds: number;
}

/** GET /redeliveries */
export interface RedeliveryJobs {
  items: RedeliveryJob[];
}

/** The signals channel of an environment's job updates (a RedeliveryJob each). */
export const redeliverySignalChannel = (environment: string) =>
  `dead-letter:redeliveries:${environment}`;

/**
 * Where the app shows an environment's redelivery jobs: the Dead Letter
 * page's Redeliveries tab, with the environment selected (the page reads
 * `?environment=`). Relative to the app's base URL, as notifications link.
 */
export const redeliveriesPagePath = (environment: string) =>
  `/dead-letter/redeliveries?environment=${encodeURIComponent(environment)}`;
