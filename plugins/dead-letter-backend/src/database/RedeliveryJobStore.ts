import {
  DeadLetterFilter,
  RedeliveryJobState,
  RedeliveryRateStep,
} from '@internal/plugin-dead-letter-common';
import {
  Selection,
  StoredDeadLetter,
  RedeliverableDeadLetter,
} from './DeadLetterStore';

/** A redelivery job as the store returns it. */
export interface StoredRedeliveryJob {
  id: string;
  environment: string;
  state: RedeliveryJobState;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** What the user selected (the items are the snapshot of it). */
  selection: { ids: string[] } | { filter: DeadLetterFilter };
  squads: Array<string | null>;
  /** Services of the items. */
  services: string[];
  rate: number | null;
  ramp: RedeliveryRateStep[] | null;
  total: number;
  published: number;
  failed: number;
  duplicateWindow: number;
  currentRate: number;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  error: string | null;
  /** Messages of the job dead-lettered again (the most seen at once). */
  refailed: number;
  /** The job may pause itself (off once a person resumed it after that). */
  autoPause: boolean;
  /** Why the job paused itself. */
  pausedReason: string | null;
  /** Messages of the preview it was created from; null: not from one. */
  previewed: number | null;
  /** Matching messages the preview had not seen; left alone. */
  arrivedAfterPreview: number;
  /** Previewed messages deleted or taken by another job meanwhile. */
  goneSincePreview: number;
}

/** The largest groups of a breakdown, and how many messages the rest hold. */
export interface PreviewBreakdown<T> {
  items: Array<T & { count: number }>;
  /** Messages outside the listed groups. */
  other: number;
}

/** What a dry run saw, recorded under its token. */
export interface StoredRedeliveryPreview {
  token: string;
  /** ISO time after which the token is refused. */
  expiresAt: string;
  total: number;
  squads: Array<string | null>;
  byTarget: PreviewBreakdown<{
    exchange: string | null;
    routingKey: string | null;
  }>;
  byService: PreviewBreakdown<{ service: string | null }>;
  byErrorGroup: PreviewBreakdown<{ errorGroup: string | null }>;
  /** Distinct exchanges (null: unknown) with their counts, largest first. */
  exchanges: PreviewBreakdown<{ exchange: string | null }>;
  /** Routing keys (queues) of messages for the default exchange. */
  defaultExchangeQueues: PreviewBreakdown<{ queue: string | null }>;
  /** The first few messages, metadata only. */
  samples: StoredDeadLetter[];
}

/** How a job created from a preview's token is refused. */
export type PreviewRefusal =
  | { kind: 'unknown' }
  | { kind: 'expired'; expiresAt: string }
  | { kind: 'mismatch'; detail: string };

/** An item still to publish, with its stored message (absent: the row is gone). */
export interface PendingRedeliveryItem {
  id: string;
  deadLetterId: string;
  /**
   * `publishing`: perhaps sent before, its confirm never recorded (sending
   * it again counts in the duplicate window).
   */
  state: 'queued' | 'publishing';
  /** Sends of it so far whose confirm was never recorded. */
  attempts: number;
  /** The stored message (what publishing it needs); undefined when it is gone. */
  row: RedeliverableDeadLetter | undefined;
}

/** Why an item failed for good. */
export interface RedeliveryItemFailure {
  itemId: string;
  deadLetterId: string;
  reason: string;
  detail: string;
}

/** What a job takes (or would take) of the stored messages: how many, and their squads. */
export interface RedeliverySnapshot {
  total: number;
  squads: Array<string | null>;
}

/** Persistence of redelivery jobs and their items. */
export interface RedeliveryJobStore {
  /**
   * Creates a job and snapshots the selected rows (restricted by
   * `selection.allowed`) into its items, in one transaction. Rows already in
   * an unfinished job's items are left out. For a selection by ids,
   * `untaken` lists the selected ids it did not take (not stored, or
   * waiting in another job).
   */
  create(job: {
    environment: string;
    createdBy: string;
    selection: Selection;
    rate: number | null;
    ramp: RedeliveryRateStep[] | null;
    now: Date;
    /**
     * A dry run's token: the job takes exactly the messages the preview
     * saw that are still there and in no other unfinished job (the
     * selection and `allowed` applied again), records how many matching
     * messages it had not seen and how many it saw are gone, and uses the
     * token up. `refuse` makes the error for a token it cannot use.
     */
    preview?: {
      token: string;
      refuse: (why: PreviewRefusal) => Error;
    };
  }): Promise<StoredRedeliveryJob & { untaken?: string[] }>;
  /**
   * Records the rows a job would snapshot now under a new token valid until
   * `expiresAt` (replacing `createdBy`'s earlier previews of the same
   * selection, and removing expired ones), with breakdowns of at most
   * `top` groups each and `samples` samples, all computed in SQL.
   */
  preview(
    environment: string,
    selection: Selection,
    options: {
      createdBy: string;
      now: Date;
      expiresAt: Date;
      top: number;
      samples: number;
    },
  ): Promise<StoredRedeliveryPreview>;
  /**
   * Removes previews that expired before `now` with their items, at most
   * `batchSize` items per statement; returns how many previews.
   */
  purgeExpiredPreviews(now: Date, batchSize: number): Promise<number>;
  get(id: string): Promise<StoredRedeliveryJob | undefined>;
  /** An environment's jobs, newest first. */
  list(environment: string, limit: number): Promise<StoredRedeliveryJob[]>;
  /** Failed items per reason, per job. */
  failedByReason(
    jobIds: string[],
  ): Promise<Map<string, Record<string, number>>>;
  /**
   * The distinct squad and service of a job's messages, as snapshotted
   * (for permission checks).
   */
  owners(
    jobId: string,
  ): Promise<Array<{ squad: string | null; service: string | null }>>;
  /**
   * Moves a job from one of `from` to `to` (clearing its lease, and setting
   * finished_at for cancelled, done and failed); undefined when the job was
   * in none of `from`.
   */
  transition(
    id: string,
    from: RedeliveryJobState[],
    to: RedeliveryJobState,
    now: Date,
    error?: string,
  ): Promise<StoredRedeliveryJob | undefined>;
  /**
   * Takes the lease of the oldest runnable job (queued, or running with an
   * expired lease), skipping jobs other replicas are claiming and `exclude`.
   */
  claim(
    owner: string,
    leaseMs: number,
    now: Date,
    exclude: string[],
  ): Promise<StoredRedeliveryJob | undefined>;
  /**
   * The job's state while `owner` holds its lease (renewed by `leaseMs`
   * when given); undefined when the lease is no longer `owner`'s.
   */
  heartbeat(
    id: string,
    owner: string,
    now: Date,
    leaseMs?: number,
  ): Promise<RedeliveryJobState | undefined>;
  /** Gives up `owner`'s lease so another replica may take the job at once. */
  release(id: string, owner: string): Promise<void>;
  /**
   * The next items still to publish, in id order (after `afterItemId` when
   * given); `publishing` also for a `queued` item at or below the job's
   * publishing mark.
   */
  nextItems(
    jobId: string,
    limit: number,
    afterItemId?: string,
  ): Promise<PendingRedeliveryItem[]>;
  /**
   * Marks a batch as being sent, while `owner` holds the job's lease: the
   * job's publishing mark goes up to `throughItemId` (one row written, not
   * one per item; a `queued` item at or below the mark counts as
   * `publishing`), and the items in `resent` (read as `publishing`: sent
   * before without a recorded confirm) are counted in the job's duplicate
   * window, each with one more attempt. Returns how many were counted, or
   * undefined (nothing marked) when `owner` does not hold the lease.
   */
  markPublishing(
    jobId: string,
    owner: string,
    throughItemId: string,
    resent: string[],
  ): Promise<number | undefined>;
  /**
   * Lowers the publishing mark below `fromItemId`: the items from it on
   * were marked but never sent. Not once another replica holds the job's
   * lease (it may have sent them since), nor, when nobody holds it, once
   * another raised the mark. Returns whether it was lowered.
   */
  unmarkFrom(
    jobId: string,
    owner: string,
    fromItemId: string,
  ): Promise<boolean>;
  /**
   * Records confirmed items as published (counted on the job; the items
   * themselves are removed) and archives their rows (reason `redelivered`,
   * by the job's creator), and records failed items, with the job's counts,
   * in one transaction.
   */
  record(
    jobId: string,
    outcome: {
      published: Array<{ itemId: string; deadLetterId: string }>;
      failed: RedeliveryItemFailure[];
    },
    currentRate: number,
    now: Date,
  ): Promise<void>;
  /** Marks the job done when no item is left; true if it did. */
  finishIfComplete(id: string, owner: string, now: Date): Promise<boolean>;
  /** A job's failed items. */
  failures(jobId: string): Promise<RedeliveryItemFailure[]>;
  /**
   * How many of the job's messages are stored again as dead letters (they
   * carry its job header and died after it was created), and records the
   * most seen on the job.
   */
  countRefailed(job: StoredRedeliveryJob, header: string): Promise<number>;
  /** Pauses a running job of `owner` by itself, saying why. */
  autoPause(
    id: string,
    owner: string,
    reason: string,
    now: Date,
  ): Promise<boolean>;
}
