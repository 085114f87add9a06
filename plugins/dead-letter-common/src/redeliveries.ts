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
  /**
   * Only say what the job would do; nothing is published, and only the
   * preview (which messages it saw, for its token) is stored.
   */
  dryRun?: boolean;
  /**
   * The `previewToken` of a dry run (yours, same environment and
   * selection, used once, within `expiresAt`): the job takes exactly the
   * messages that dry run saw that are still stored; matching messages
   * that arrived after it are left alone and counted in
   * `progress.arrivedAfterPreview`. An unknown, used or mismatched token
   * is a 400; an expired one (or one a newer preview of the same selection
   * replaced) a 409.
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
  /** Messages of the preview the job was created from; null: not from a preview. */
  previewed: number | null;
  /**
   * Messages that match the selection but arrived (or became free to
   * redeliver) after the preview: left stored, not redelivered.
   */
  arrivedAfterPreview: number;
  /** Previewed messages deleted, or taken by another job, before this one was created. */
  goneSincePreview: number;
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

/** The largest groups of a preview breakdown; `other` holds the rest. */
export interface RedeliveryBreakdown<T> {
  items: Array<T & { count: number }>;
  /** Messages outside the listed groups. */
  other: number;
}

/** A previewed message: metadata only (bodies and headers need the read permission). */
export interface RedeliveryPreviewSample {
  id: string;
  queue: string | null;
  exchange: string | null;
  routingKey: string | null;
  service: string | null;
  error: string | null;
  /** ISO time of its first death. */
  deadLetteredAt: string;
}

/**
 * Something to know before redelivering:
 * - `exchange-missing`: the target exchange does not exist on the broker
 *   (the messages would fail as exchange-missing);
 * - `queue-missing`: for the default exchange, no queue of that name;
 * - `unknown-exchange`: stored without an x-death header, so no target;
 * - `broker-unreachable`: the broker did not answer in time, targets not
 *   checked;
 * - `targets-not-all-checked`: more distinct targets than are checked.
 */
export interface RedeliveryPreviewWarning {
  code:
    | 'exchange-missing'
    | 'queue-missing'
    | 'unknown-exchange'
    | 'broker-unreachable'
    | 'targets-not-all-checked';
  message: string;
  /** Messages it concerns (0 when it is about the check itself). */
  count: number;
  exchange?: string;
  queue?: string;
}

/** POST /redeliveries with dryRun: what the job would do. */
export interface RedeliveryDryRun {
  dryRun: true;
  /**
   * Pass it when creating the job: it then redelivers exactly these
   * messages (those still stored) and leaves later arrivals alone.
   */
  previewToken: string;
  /** ISO time after which the token is refused. */
  expiresAt: string;
  environment: string;
  /** Messages the job would publish now. */
  total: number;
  squads: Array<string | null>;
  rate: number;
  ramp: RedeliveryRateStep[] | null;
  /** Seconds the job would take at the ramp and rate. */
  etaSeconds: number;
  /** Counts by target, service and error group (the largest groups). */
  breakdown: {
    byTarget: RedeliveryBreakdown<{
      exchange: string | null;
      routingKey: string | null;
    }>;
    byService: RedeliveryBreakdown<{ service: string | null }>;
    /** Errors grouped by errorGroup(): ids, numbers and times replaced. */
    byErrorGroup: RedeliveryBreakdown<{ errorGroup: string | null }>;
  };
  /** The first few messages. */
  samples: RedeliveryPreviewSample[];
  warnings: RedeliveryPreviewWarning[];
  /** What was checked on the broker: exchanges and default-exchange queues; bindings cannot be checked over AMQP. */
  checked: { targets: boolean; bindings: false };
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

/**
 * Where the app shows a service's dead letters: its component's Dead
 * Letter tab with the environment selected and the message list filtered
 * to a time range (the tab reads `?environment=`, `?from=` and `?to=`, ISO
 * times, `to` exclusive). Relative to the app's base URL, as notifications
 * link.
 */
export function serviceDeadLettersPath(
  service: string,
  environment: string,
  range: { from?: string; to?: string } = {},
): string {
  const params = new URLSearchParams({ environment });
  if (range.from) params.set('from', range.from);
  if (range.to) params.set('to', range.to);
  return `/catalog/default/component/${encodeURIComponent(
    service.toLocaleLowerCase('en-US'),
  )}/dead-letter?${params}`;
}
