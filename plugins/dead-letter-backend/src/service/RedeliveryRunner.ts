import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { RedeliveryJobState } from '@internal/plugin-dead-letter-common';
import { BrokerEnvironmentConfig } from '../config';
import { RedeliveryPublishers } from '../consumer/RedeliveryPublisher';
import { JOB_HEADER } from '../consumer/headers';
import {
  PendingRedeliveryItem,
  RedeliveryItemFailure,
  RedeliveryJobStore,
  StoredRedeliveryJob,
} from '../database/RedeliveryJobStore';
import { PACING_STEP_MS, TokenBucket, rateAt } from './rate';

/** Timings of the runner; the defaults suit production. */
export interface RedeliveryRunnerTimings {
  /** How long a lease lasts without renewal. Default 10 s. */
  leaseMs: number;
  /** How often the lease is renewed. Default 3 s. */
  renewMs: number;
  /** How often the state (pause, cancel) is read while running. Default 200 ms. */
  controlMs: number;
  /** How often runnable jobs are looked for. Default 1 s. */
  pollMs: number;
  /** Jobs one backend runs at once (rate-limited ones mostly wait). Default 16. */
  maxJobs: number;
}

const DEFAULT_TIMINGS: RedeliveryRunnerTimings = {
  leaseMs: 10_000,
  renewMs: 3_000,
  controlMs: 200,
  pollMs: 1_000,
  maxJobs: 16,
};

/** Messages published per batch when a job has no rate limit. */
const UNLIMITED_BATCH = 1000;
/**
 * Batch records written at once. Moving a batch's rows to the archive
 * takes about as long as publishing the batch, so one at a time held the
 * runner back (measured: one record of 1,000 took 90 to 220 ms).
 */
const RECORDS_AT_ONCE = 2;
/** After this many publishes without a recorded confirm, an item fails. */
const MAX_ATTEMPTS = 5;
/** Items read ahead per query. */
const READ_AHEAD = 2000;
/**
 * At this rate or above (and without a rate), the next batch is marked
 * (the job's publishing mark) while the current one is published, so the
 * database's round trip is not on the broker's path. Below it, items are marked just
 * before their turn: marked ahead, a crash would count a whole batch in the
 * duplicate window although little of it had gone.
 */
const MARK_AHEAD_RATE = 5_000;
/** The window the current rate is measured over. */
const RATE_WINDOW_MS = 2_000;

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

interface Control {
  state: RedeliveryJobState;
  /** Another replica holds the lease now (or the job was paused/cancelled). */
  lost: boolean;
  /** This backend is shutting down: give the lease back. */
  stopping: boolean;
  /** Simulated crash (tests): no more publishes or writes of any kind. */
  abandoned: boolean;
  /** Read the state now (a pause or cancel came in on this replica). */
  check?: () => void;
}

/**
 * Items of a batch, each to send or failed already (gone, too many
 * attempts), with the job's publishing mark raised over those to send:
 * publishing waits for it.
 */
interface PreparedBatch {
  entries: Array<{
    item: PendingRedeliveryItem;
    failure?: RedeliveryItemFailure;
  }>;
  /** Resolves to the duplicates counted, or undefined if the lease was lost. */
  marked: Promise<number | undefined>;
}

/** What became of a published batch; `record` writes it to the database. */
interface BatchOutcome {
  /** Not sent: the broker went away first. */
  unsent: PendingRedeliveryItem[];
  /** Sent, but no confirm came (left under the mark). */
  uncertain: number;
  /** The highest item id that went to the broker (0: none). */
  sentThrough: number;
  published: number;
  record: () => Promise<void>;
}

/**
 * Runs redelivery jobs. Every backend runs one: it polls for runnable jobs
 * (queued, or running with an expired lease) and claims them with a lease
 * (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so exactly one replica runs a
 * job; the lease is renewed while it runs. A replica that dies stops
 * renewing, and another takes the job over after the lease expires and
 * continues from the database: items it finds in flight (`publishing`, or
 * under the job's publishing mark) are published again and counted in the
 * job's duplicate window.
 *
 * Per batch: the job's publishing mark is raised to the batch's last item
 * (one row written, not one per message), the items are published at the
 * job's rate (ramp steps first), and once the broker confirmed them they are
 * counted as published, removed with their rows archived, in one
 * transaction with the job's counts. The record of a batch is written while
 * the next is published; at high rates the next batch is also marked while
 * the current one is published (the mark is lowered again over items
 * marked but not sent when the job stops or the broker goes). A
 * pause or cancel is seen within `controlMs` (at once on this replica);
 * nothing is published after it, and what was confirmed stays published.
 */
export class RedeliveryRunner {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly timings: RedeliveryRunnerTimings;
  private readonly active = new Map<
    string,
    { control: Control; done: Promise<void> }
  >();
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private claiming = false;

  constructor(
    private readonly deps: {
      jobs: RedeliveryJobStore;
      publishers: RedeliveryPublishers;
      environment: (name: string) => BrokerEnvironmentConfig | undefined;
      logger: LoggerService;
      auditor?: AuditorService;
      /** Called when a job's state or progress changed (at most every 500 ms per job while running). */
      onUpdate?: (jobId: string) => void;
      timings?: Partial<RedeliveryRunnerTimings>;
    },
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...deps.timings };
    this.onUpdate = deps.onUpdate;
  }

  /** Called when a job's state or progress changed (see the constructor). */
  onUpdate?: (jobId: string) => void;

  /**
   * Called once per auto-pause, on the replica whose pause took effect (to
   * notify the owning squads); it must not throw, and is not waited for.
   */
  onAutoPause?: (jobId: string) => void;

  /** Starts polling for jobs. */
  start(): void {
    this.stopped = false;
    const poll = () => {
      if (this.stopped) return;
      void this.claimLoop().finally(() => {
        if (!this.stopped) this.timer = setTimeout(poll, this.timings.pollMs);
      });
    };
    poll();
  }

  /** Stops publishing, and gives the leases back so another replica continues at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const { control } of this.active.values()) control.stopping = true;
    await Promise.all([...this.active.values()].map(a => a.done));
  }

  /**
   * Stops at once without a word to the database, leases kept, as a killed
   * process would (for tests of the takeover).
   */
  crash(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const { control } of this.active.values()) control.abandoned = true;
  }

  /** Looks for runnable jobs now (one was just created or resumed). */
  wake(): void {
    void this.claimLoop();
  }

  /** Reads a job's state now, if this replica runs it (a pause or cancel). */
  notify(jobId: string): void {
    this.active.get(jobId)?.control.check?.();
  }

  /** Jobs this replica runs. */
  running(): string[] {
    return [...this.active.keys()];
  }

  private async claimLoop() {
    if (this.claiming || this.stopped) return;
    this.claiming = true;
    try {
      while (!this.stopped && this.active.size < this.timings.maxJobs) {
        const job = await this.deps.jobs.claim(
          this.owner,
          this.timings.leaseMs,
          new Date(),
          [...this.active.keys()],
        );
        if (!job) break;
        if (this.stopped) {
          // Stopped while claiming: leave it to another replica.
          await this.deps.jobs.release(job.id, this.owner);
          break;
        }
        const control: Control = {
          state: 'running',
          lost: false,
          stopping: false,
          abandoned: false,
        };
        const done = this.run(job, control)
          .catch(e =>
            this.deps.logger.error(
              `dead-letter redelivery job ${job.id} stopped: ${e}`,
            ),
          )
          .finally(() => this.active.delete(job.id));
        this.active.set(job.id, { control, done });
      }
    } catch (e) {
      this.deps.logger.warn(`dead-letter redelivery: claiming failed: ${e}`);
    } finally {
      this.claiming = false;
    }
  }

  private async audit(job: StoredRedeliveryJob, state: string, extra = {}) {
    const event = await this.deps.auditor?.createEvent({
      eventId: 'dead-letter-redelivery-run',
      severityLevel: 'low',
      meta: {
        job: job.id,
        environment: job.environment,
        state,
        replica: this.owner,
        ...extra,
      },
    });
    await event?.success();
  }

  private async run(job: StoredRedeliveryJob, control: Control) {
    const { jobs, logger } = this.deps;
    const env = this.deps.environment(job.environment);
    if (!env) {
      const error = `environment '${job.environment}' has no broker on this backend`;
      await jobs.transition(job.id, ['running'], 'failed', new Date(), error);
      await this.audit(job, 'failed', { error });
      this.onUpdate?.(job.id);
      return;
    }
    const takeover = job.published + job.failed > 0 || job.startedAt !== null;
    logger.info(
      `dead-letter redelivery job ${job.id} (${job.environment}) running on ${this.owner}`,
    );
    await this.audit(job, 'running', { takeover });
    this.onUpdate?.(job.id);

    // Watch the state and keep the lease while the job runs.
    let lastRenew = Date.now();
    let watching = true;
    const sleeper = { wake: () => {} };
    const watch = (async () => {
      while (watching && !control.abandoned) {
        const renew = Date.now() - lastRenew >= this.timings.renewMs;
        try {
          const state = await jobs.heartbeat(
            job.id,
            this.owner,
            new Date(),
            renew ? this.timings.leaseMs : undefined,
          );
          if (renew) lastRenew = Date.now();
          if (state === undefined) control.lost = true;
          else control.state = state;
          if (renew && state === 'running')
            await this.checkRefailures(job, env);
        } catch (e) {
          logger.warn(`dead-letter redelivery job ${job.id}: ${e}`);
        }
        await new Promise<void>(resolve => {
          const t = setTimeout(resolve, this.timings.controlMs);
          sleeper.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    })();
    control.check = () => sleeper.wake();
    const go = () =>
      !control.abandoned &&
      !control.lost &&
      !control.stopping &&
      control.state === 'running';

    const started = Date.now();
    const bucket = new TokenBucket(started);
    const recent: Array<[number, number]> = [];
    let lastUpdate = 0;
    let queue: PendingRedeliveryItem[] = [];
    /** The next batch, taken off `queue` and being marked (see MARK_AHEAD_RATE). */
    let ahead: PreparedBatch | undefined;
    /** The last item read: items are read on after it. */
    let cursor: string | undefined;
    /** The next read after `cursor`, started while a batch is published. */
    let prefetch: Promise<PendingRedeliveryItem[]> | undefined;
    const read = () => {
      const next = prefetch ?? jobs.nextItems(job.id, READ_AHEAD, cursor);
      prefetch = undefined;
      return next;
    };
    /**
     * The records of earlier batches in the database, written while the
     * next batches are published (RECORDS_AT_ONCE at most); all awaited
     * (`recorded`) before reading from the start again and before the
     * runner lets go of the job.
     */
    let recordings: Array<Promise<void>> = [];
    /** Waits for every record being written; throws the first that failed. */
    const recorded = async () => {
      const results = await Promise.allSettled(recordings);
      recordings = [];
      const failed = results.find(r => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    };
    let recordError: unknown;
    let backoff = 0;
    /**
     * At high rates, the batch sent before the current one, its confirms
     * still coming: the next batch goes out meanwhile, so the broker is
     * never idle waiting for the runner.
     */
    let outstanding: Promise<BatchOutcome> | undefined;
    /** Items a batch could not send (the broker went away), by settle. */
    let unsent: PendingRedeliveryItem[] = [];
    /**
     * The highest item id this run sent: the mark never goes below it (a
     * batch after one the broker refused may have gone out unconfirmed).
     */
    let sentThrough = 0;
    /**
     * Records what became of batches, started in the order they were sent
     * (each written while the next batches are published); true when the
     * broker went away.
     */
    const settle = async (outcomes: BatchOutcome[]) => {
      let away = false;
      for (const outcome of outcomes) {
        if (control.abandoned) return false;
        // RECORDS_AT_ONCE records at most, each its own transaction: they
        // delete and archive other rows and add to the job's counters. A
        // failed one stops the run here (where it is awaited, or in
        // `finally`); its batch stays under the mark, in flight.
        while (recordings.length >= RECORDS_AT_ONCE) {
          await recordings.shift();
        }
        const record = outcome.record();
        record.catch(() => {});
        recordings.push(record);
        unsent.push(...outcome.unsent);
        sentThrough = Math.max(sentThrough, outcome.sentThrough);
        if (outcome.unsent.length || outcome.uncertain) away = true;
        else if (outcome.published) backoff = 0;
      }
      const now = Date.now();
      if (now - lastUpdate >= 500) {
        lastUpdate = now;
        this.onUpdate?.(job.id);
      }
      return away;
    };
    /**
     * The broker is away: read the items again (from the start, once
     * recorded) after a pause that still notices a pause or cancel. What
     * was sent without a confirm stays under the mark.
     */
    const backOff = async () => {
      await recorded();
      await this.putBack(job, ahead, unsent, sentThrough);
      unsent = [];
      ahead = undefined;
      prefetch = undefined;
      queue = [];
      cursor = undefined;
      backoff = Math.min(15_000, Math.max(500, backoff * 2));
      const until = Date.now() + backoff;
      while (go() && Date.now() < until) await sleep(100);
      const rate = rateAt(Date.now() - started, job.rate, job.ramp);
      bucket.take(Date.now(), rate ?? 1, 0);
    };
    /** Settles the outstanding batch, if any. */
    const drain = async () => {
      const previous = outstanding;
      outstanding = undefined;
      return previous ? settle([await previous]) : false;
    };
    try {
      while (go()) {
        if (queue.length === 0 && !ahead) {
          if (await drain()) {
            await backOff();
            continue;
          }
          queue = await read();
          if (queue.length === 0) {
            await recorded();
            if (control.abandoned) return;
            if (cursor !== undefined) {
              // From the start again: items put back or left in flight.
              cursor = undefined;
              continue;
            }
            if (await jobs.finishIfComplete(job.id, this.owner, new Date())) {
              logger.info(`dead-letter redelivery job ${job.id} done`);
              await this.audit(job, 'done');
              this.onUpdate?.(job.id);
            }
            return;
          }
          cursor = queue[queue.length - 1].id;
        }
        const rate = rateAt(Date.now() - started, job.rate, job.ramp);
        const available = ahead
          ? ahead.entries.length
          : Math.min(UNLIMITED_BATCH, queue.length);
        let n: number;
        if (rate === null) {
          n = available;
        } else {
          n = bucket.take(Date.now(), rate, available);
          if (n === 0) {
            await sleep(
              Math.min(PACING_STEP_MS, bucket.waitMs(rate, available)),
            );
            continue;
          }
        }
        if (!go()) break;
        let batch: PreparedBatch;
        if (ahead) {
          batch = { entries: ahead.entries.slice(0, n), marked: ahead.marked };
          ahead =
            n < ahead.entries.length
              ? { entries: ahead.entries.slice(n), marked: ahead.marked }
              : undefined;
        } else {
          batch = this.prepare(job, queue.splice(0, n));
        }
        if (!ahead && (rate === null || rate >= MARK_AHEAD_RATE)) {
          if (queue.length === 0 && prefetch) {
            // A failed read stops the run: the batch marked for it first
            // goes back (nothing settles meanwhile).
            const sent = sentThrough;
            queue = await read().catch(async e => {
              await this.putBack(job, batch, [], sent).catch(() => {});
              throw e;
            });
            if (queue.length) cursor = queue[queue.length - 1].id;
          }
          if (queue.length > 0) {
            ahead = this.prepare(
              job,
              queue.splice(0, Math.min(UNLIMITED_BATCH, queue.length)),
            );
          }
          if (queue.length === 0 && ahead) {
            prefetch = jobs.nextItems(job.id, READ_AHEAD, cursor);
            prefetch.catch(() => {});
          }
        }
        const sending = this.publishBatch(job, env, batch, control, recent);
        // Awaited below, or as `outstanding` on the next turn or at the end.
        sending.catch(() => {});
        const previous = outstanding;
        outstanding = undefined;
        const done = previous ? [await previous] : [];
        const previousAway = done.some(o => o.unsent.length || o.uncertain);
        if (rate === null || rate >= MARK_AHEAD_RATE) {
          // Two batches at the broker at most; none more once it is away.
          if (previousAway) done.push(await sending);
          else outstanding = sending;
        } else {
          done.push(await sending);
        }
        if (control.abandoned) return;
        if (await settle(done)) {
          // Whatever was still out is settled before going back.
          await drain();
          await backOff();
        }
      }
    } finally {
      // What the broker confirmed is recorded, paused or cancelled or not.
      if (!control.abandoned) await drain().catch(() => false);
      recordError = await recorded().then(
        () => undefined,
        (e: unknown) => {
          logger.warn(
            `dead-letter redelivery job ${job.id}: recording a batch failed: ${e}`,
          );
          return e;
        },
      );
      // Marked ahead, never sent: the mark goes back below them (unless
      // another replica holds the job now; see `unmarkFrom`).
      if (!control.abandoned) {
        await this.putBack(job, ahead, unsent, sentThrough).catch(e =>
          logger.warn(
            `dead-letter redelivery job ${job.id}: putting back unsent items failed: ${e}`,
          ),
        );
      }
      watching = false;
      sleeper.wake();
      await watch;
      if (!control.abandoned) {
        if (control.stopping && !control.lost) {
          await jobs.release(job.id, this.owner).catch(() => {});
        }
        this.onUpdate?.(job.id);
      }
    }
    // A last record that failed stops the run like any other (logged; the
    // items it left in flight are published again, in the duplicate window).
    if (recordError) throw recordError;
  }

  /**
   * Pauses the job when too many of its messages came back as dead letters
   * (see RedeliveryRates.autoPauseRatio): whatever makes them fail is
   * probably still there.
   */
  private async checkRefailures(
    claimed: StoredRedeliveryJob,
    env: BrokerEnvironmentConfig,
  ) {
    const { autoPauseRatio, autoPauseMinimum } = env.redelivery;
    const job = await this.deps.jobs.get(claimed.id);
    if (!job || !job.autoPause || autoPauseRatio <= 0) return;
    const refailed = await this.deps.jobs.countRefailed(job, JOB_HEADER);
    if (
      refailed < autoPauseMinimum ||
      refailed < autoPauseRatio * job.published
    )
      return;
    const reason = `paused itself: ${refailed} of the ${
      job.published
    } messages it published were dead-lettered again (the limit is ${autoPauseMinimum} and ${Math.round(
      autoPauseRatio * 100,
    )} %); resume to go on regardless`;
    if (
      await this.deps.jobs.autoPause(job.id, this.owner, reason, new Date())
    ) {
      this.deps.logger.warn(`dead-letter redelivery job ${job.id} ${reason}`);
      await this.audit(job, 'paused', { reason, refailed });
      this.onUpdate?.(job.id);
      this.onAutoPause?.(job.id);
    }
  }

  /**
   * Sorts out the items that cannot go (gone, too many attempts) and starts
   * marking the others as being sent (the job's publishing mark).
   */
  private prepare(
    job: StoredRedeliveryJob,
    items: PendingRedeliveryItem[],
  ): PreparedBatch {
    const entries = items.map(item => {
      const base = { itemId: item.id, deadLetterId: item.deadLetterId };
      let failure: RedeliveryItemFailure | undefined;
      if (!item.row) {
        failure = {
          ...base,
          reason: 'gone',
          detail: 'the stored message was deleted before its turn',
        };
      } else if (item.attempts >= MAX_ATTEMPTS) {
        failure = {
          ...base,
          reason: 'broker-error',
          detail: `no confirm from the broker after ${item.attempts} attempts`,
        };
      }
      return { item, failure };
    });
    const toSend = entries.filter(e => !e.failure).map(e => e.item);
    const marked = toSend.length
      ? this.deps.jobs.markPublishing(
          job.id,
          this.owner,
          toSend[toSend.length - 1].id,
          toSend.filter(i => i.state === 'publishing').map(i => i.id),
        )
      : Promise.resolve(0);
    // Awaited by whoever publishes or puts back the batch.
    marked.catch(() => {});
    return { entries, marked };
  }

  /**
   * Lowers the publishing mark below items marked but never sent: the
   * first of `unsent` (in id order) and everything of `batch`, but never to
   * or below `sentThrough`, the highest item id sent (those stay in
   * flight, counted if they go again).
   */
  private async putBack(
    job: StoredRedeliveryJob,
    batch: PreparedBatch | undefined,
    unsent: PendingRedeliveryItem[],
    sentThrough: number,
  ) {
    const first = [
      ...unsent,
      ...(batch?.entries.filter(e => !e.failure).map(e => e.item) ?? []),
    ].reduce<PendingRedeliveryItem | undefined>(
      (low, item) => (!low || Number(item.id) < Number(low.id) ? item : low),
      undefined,
    );
    if (!first) return;
    // After the batch's own mark, which would otherwise raise it again.
    // Refused when another replica holds the job (see `unmarkFrom`); items
    // read as `publishing` stay so below it (counted when they go).
    await batch?.marked.catch(() => undefined);
    const from = Math.max(Number(first.id), sentThrough + 1);
    await this.deps.jobs.unmarkFrom(job.id, this.owner, String(from));
  }

  /** Publishes one batch; what became of it is recorded by `record`. */
  private async publishBatch(
    job: StoredRedeliveryJob,
    env: BrokerEnvironmentConfig,
    batch: PreparedBatch,
    control: Control,
    recent: Array<[number, number]>,
  ): Promise<BatchOutcome> {
    const { jobs } = this.deps;
    const nothing = {
      sentThrough: 0,
      unsent: [] as PendingRedeliveryItem[],
      uncertain: 0,
      published: 0,
      record: async () => {},
    };
    const failed: RedeliveryItemFailure[] = [];
    const toSend: PendingRedeliveryItem[] = [];
    for (const { item, failure } of batch.entries) {
      if (failure) failed.push(failure);
      else toSend.push(item);
    }
    if ((await batch.marked) === undefined) {
      // Another replica holds the job now: nothing was marked or sent.
      control.lost = true;
      return nothing;
    }
    if (control.abandoned) return nothing;
    const outcomes = await this.deps.publishers.for(env).publish(
      toSend.map(item => ({
        row: item.row!,
        jobId: job.id,
        redeliveryId: item.id,
      })),
    );
    // A crashed replica never records its confirms.
    if (control.abandoned) return nothing;
    const published: Array<{ itemId: string; deadLetterId: string }> = [];
    const unsent: PendingRedeliveryItem[] = [];
    let uncertain = 0;
    let sentThrough = 0;
    outcomes.forEach((outcome, i) => {
      const item = toSend[i];
      if (outcome.status !== 'unknown' || outcome.sent)
        sentThrough = Math.max(sentThrough, Number(item.id));
      if (outcome.status === 'confirmed') {
        published.push({ itemId: item.id, deadLetterId: item.deadLetterId });
      } else if (outcome.status === 'failed') {
        failed.push({
          itemId: item.id,
          deadLetterId: item.deadLetterId,
          reason: outcome.reason,
          detail: outcome.detail,
        });
      } else if (outcome.sent) {
        // Left under the mark: published again later, counted as a duplicate.
        uncertain += 1;
      } else {
        unsent.push(item);
      }
    });
    const now = Date.now();
    recent.push([now, published.length]);
    while (recent.length && recent[0][0] < now - RATE_WINDOW_MS) recent.shift();
    const span = Math.max(250, Math.min(RATE_WINDOW_MS, now - recent[0][0]));
    const currentRate =
      (recent.reduce((sum, [, count]) => sum + count, 0) / span) * 1000;
    return {
      unsent,
      uncertain,
      sentThrough,
      published: published.length,
      /** Records the batch (the caller runs it while it publishes the next). */
      record: async () => {
        if (control.abandoned) return;
        await jobs.record(
          job.id,
          { published, failed },
          Math.round(currentRate * 10) / 10,
          new Date(),
        );
      },
    };
  }
}
