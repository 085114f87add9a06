import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  RedeliverResult,
  RedeliveryDryRun,
  RedeliveryJob,
  RedeliveryJobState,
  RedeliveryPreviewWarning,
  RedeliveryRateStep,
  redeliverySignalChannel,
} from '@internal/plugin-dead-letter-common';
import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import { JsonObject } from '@backstage/types';
import { BrokerEnvironmentConfig } from '../config';
import { Selection } from '../database/DeadLetterStore';
import {
  PreviewRefusal,
  RedeliveryJobStore,
  StoredRedeliveryJob,
  StoredRedeliveryPreview,
} from '../database/RedeliveryJobStore';
import { RedeliveryRunner } from './RedeliveryRunner';
import { RedeliveryPublishers } from '../consumer/RedeliveryPublisher';
import { etaSeconds } from './rate';

/** How long POST /dead-letters/redeliver waits for its job. */
const WAIT_FOR_JOB_MS = 60_000;
/** ...unless the broker has been unreachable from here this long. */
const BROKER_DOWN_MS = 3_000;

/** What a person asks of a job's pace. */
export interface RedeliveryPace {
  rate?: number;
  ramp?: RedeliveryRateStep[];
  /** A dry run's token: the job must take exactly the messages it previewed. */
  previewToken?: string;
}

/** How long a dry run's token can be used to create its job. */
export const PREVIEW_TTL_MS = 15 * 60_000;
/** Groups per breakdown of a dry run; the rest is counted as `other`. */
const PREVIEW_TOP = 10;
/** Samples of a dry run. */
const PREVIEW_SAMPLES = 5;
/** How long a dry run waits for the broker to say which targets exist. */
const TARGET_CHECK_TIMEOUT_MS = 2_000;

/** Why a preview token cannot be used, as the API says it. */
function refusal(why: PreviewRefusal): Error {
  switch (why.kind) {
    case 'unknown':
      return new InputError(
        'unknown previewToken: it was never issued, or was already used for a job; preview again',
      );
    case 'mismatch':
      return new InputError(
        `previewToken does not fit this request: ${why.detail}`,
      );
    default:
      return new ConflictError(
        `the preview expired at ${why.expiresAt} (after 15 minutes, or when a newer preview of the same selection replaced it): preview again`,
      );
  }
}

/** Which states a control action moves a job from, and to. */
const CONTROLS: Record<
  'pause' | 'resume' | 'cancel',
  { from: RedeliveryJobState[]; to: RedeliveryJobState }
> = {
  pause: { from: ['queued', 'running'], to: 'paused' },
  // Queued: whichever replica polls first runs it.
  resume: { from: ['paused'], to: 'queued' },
  cancel: { from: ['queued', 'running', 'paused'], to: 'cancelled' },
};

const FINAL: RedeliveryJobState[] = ['cancelled', 'done', 'failed'];

/**
 * The redelivery workflow, behind the HTTP API: jobs that snapshot a
 * selection and publish it at a rate (run by RedeliveryRunner), and the
 * rules of their rates and state changes. Authorization and audit are the
 * router's.
 */
export class RedeliveryService {
  constructor(
    private readonly deps: {
      jobs: RedeliveryJobStore;
      runner: RedeliveryRunner;
      /** This backend's publishers: is the broker reachable from here? */
      publishers?: RedeliveryPublishers;
      /** Where job updates are pushed (Backstage signals); none: the UI polls. */
      signals?: SignalsService;
      logger?: LoggerService;
    },
  ) {}

  /**
   * Pushes a job's current state to everyone watching its environment, on
   * the signals channel `dead-letter:redeliveries:<environment>` (the same
   * metadata GET /redeliveries shows any signed-in user).
   */
  async publishUpdate(id: string): Promise<void> {
    if (!this.deps.signals) return;
    try {
      await this.push(await this.get(id));
    } catch (e) {
      this.deps.logger?.warn(
        `dead-letter redelivery job ${id}: could not push an update: ${e}`,
      );
    }
  }

  private async push(job: RedeliveryJob): Promise<void> {
    await this.deps.signals?.publish({
      recipients: { type: 'broadcast' },
      channel: redeliverySignalChannel(job.environment),
      message: job as unknown as JsonObject,
    });
  }

  /** The target rate and ramp of a new job, within the environment's limits. */
  pace(env: BrokerEnvironmentConfig, pace: RedeliveryPace) {
    const { defaultRate, maxRate } = env.redelivery;
    const rate = pace.rate ?? defaultRate;
    const tooFast = (r: number, where: string) => {
      if (r > maxRate)
        throw new InputError(
          `${where}: ${r} msg/s is above the maximum of ${maxRate} msg/s in '${env.name}'`,
        );
    };
    tooFast(rate, 'rate');
    pace.ramp?.forEach((s, i) => tooFast(s.rate, `ramp.${i}.rate`));
    return { rate, ramp: pace.ramp?.length ? pace.ramp : null };
  }

  /** Creates a job of the (authorized) selection; a runner picks it up. */
  async create(
    env: BrokerEnvironmentConfig,
    selection: Selection,
    createdBy: string,
    pace: RedeliveryPace,
  ): Promise<RedeliveryJob> {
    const { rate, ramp } = this.pace(env, pace);
    const job = await this.deps.jobs.create({
      environment: env.name,
      createdBy,
      selection,
      rate,
      ramp,
      now: new Date(),
      ...(pace.previewToken !== undefined && {
        preview: { token: pace.previewToken, refuse: refusal },
      }),
    });
    // Watchers hear of the job as created (queued) before a runner can
    // claim it: read back later, it could already be running.
    const created = this.view(job, {});
    await this.push(created).catch(e =>
      this.deps.logger?.warn(
        `dead-letter redelivery job ${job.id}: could not push an update: ${e}`,
      ),
    );
    this.deps.runner.wake();
    return created;
  }

  /**
   * What a job of the selection would do now, recorded under a token (see
   * RedeliveryJobStore.preview): counts by target, service and error
   * group, samples, and warnings for targets missing on the broker.
   */
  async dryRun(
    env: BrokerEnvironmentConfig,
    selection: Selection,
    pace: RedeliveryPace,
    createdBy: string,
  ): Promise<RedeliveryDryRun> {
    const { rate, ramp } = this.pace(env, pace);
    const now = new Date();
    const preview = await this.deps.jobs.preview(env.name, selection, {
      createdBy,
      now,
      expiresAt: new Date(now.getTime() + PREVIEW_TTL_MS),
      top: PREVIEW_TOP,
      samples: PREVIEW_SAMPLES,
    });
    const { total, squads } = preview;
    const { warnings, checked } = await this.targetWarnings(env, preview);
    return {
      dryRun: true,
      previewToken: preview.token,
      expiresAt: preview.expiresAt,
      environment: env.name,
      total,
      squads,
      rate,
      ramp,
      etaSeconds: Math.round(etaSeconds(total, 0, rate, ramp) * 10) / 10,
      breakdown: {
        byTarget: preview.byTarget,
        byService: preview.byService,
        byErrorGroup: preview.byErrorGroup,
      },
      samples: preview.samples.map(m => ({
        id: m.id,
        queue: m.queue,
        exchange: m.exchange,
        routingKey: m.routingKey,
        service: m.service,
        error: m.error,
        deadLetteredAt: m.deadLetteredAt,
      })),
      warnings,
      checked: { targets: checked, bindings: false },
    };
  }

  /**
   * Warnings for the previewed messages whose target is unknown or missing
   * on the broker (checked from here, within a short timeout).
   */
  private async targetWarnings(
    env: BrokerEnvironmentConfig,
    preview: StoredRedeliveryPreview,
  ): Promise<{ warnings: RedeliveryPreviewWarning[]; checked: boolean }> {
    const warnings: RedeliveryPreviewWarning[] = [];
    const { exchanges, defaultExchangeQueues: queues } = preview;
    const unknown = exchanges.items.find(e => e.exchange === null);
    if (unknown)
      warnings.push({
        code: 'unknown-exchange',
        message: `${unknown.count} messages have no known exchange (stored without an x-death header): they cannot be redelivered`,
        count: unknown.count,
      });
    const named = exchanges.items.filter(
      (e): e is { exchange: string; count: number } => e.exchange !== null,
    );
    const queueNames = queues.items.filter(
      (q): q is { queue: string; count: number } => !!q.queue,
    );
    if (named.length === 0 && queueNames.length === 0)
      return { warnings, checked: true };
    const publisher = this.deps.publishers?.for(env);
    const result = publisher
      ? await publisher.checkTargets(
          {
            exchanges: named.map(e => e.exchange),
            queues: queueNames.map(q => q.queue),
          },
          TARGET_CHECK_TIMEOUT_MS,
        )
      : { unreachable: 'no broker connection here' };
    if ('unreachable' in result) {
      warnings.push({
        code: 'broker-unreachable',
        message: `broker unreachable, targets not checked (${result.unreachable})`,
        count: 0,
      });
      return { warnings, checked: false };
    }
    for (const e of named) {
      if (result.missingExchanges.has(e.exchange))
        warnings.push({
          code: 'exchange-missing',
          message: `${e.count} messages go to exchange '${e.exchange}', which no longer exists: they would fail`,
          count: e.count,
          exchange: e.exchange,
        });
    }
    for (const q of queueNames) {
      if (result.missingQueues.has(q.queue))
        warnings.push({
          code: 'queue-missing',
          message: `${q.count} messages go to queue '${q.queue}' through the default exchange, and that queue no longer exists: they would fail as unroutable`,
          count: q.count,
          queue: q.queue,
        });
    }
    const refused = [
      ...named.map(e => ({ name: e.exchange, kind: 'exchange', ...e })),
      ...queueNames.map(q => ({ name: q.queue, kind: 'queue', ...q })),
    ].filter(t => result.unchecked.has(t.name));
    for (const t of refused)
      warnings.push({
        code: 'targets-not-all-checked',
        message: `the broker did not say whether ${t.kind} '${
          t.name
        }' exists (${result.unchecked.get(t.name)}); ${
          t.count
        } messages go there`,
        count: t.count,
      });
    if (exchanges.other > 0 || queues.other > 0)
      warnings.push({
        code: 'targets-not-all-checked',
        message: `only the ${named.length} largest exchanges and ${
          queueNames.length
        } largest default-exchange queues were checked; ${
          exchanges.other + queues.other
        } messages go elsewhere`,
        count: exchanges.other + queues.other,
      });
    return { warnings, checked: true };
  }

  /**
   * Redelivers a selection and answers when done, as POST
   * /dead-letters/redeliver always did: a job without a rate limit, waited
   * for (at most a minute; what is left then is cancelled and reported).
   * What the broker confirmed is archived (reason `redelivered`, by the
   * job's creator).
   */
  async redeliverNow(
    env: BrokerEnvironmentConfig,
    selection: Selection,
    createdBy: string,
  ): Promise<RedeliverResult & { job: string }> {
    const { jobs } = this.deps;
    const created = await jobs.create({
      environment: env.name,
      createdBy,
      selection,
      rate: null,
      ramp: null,
      now: new Date(),
    });
    this.deps.runner.wake();
    // A broker this backend has not reached for a while is not waited
    // for: the answer comes as quickly as it did before jobs.
    const publisher = this.deps.publishers?.for(env);
    const brokerDown = () =>
      publisher?.unreachable &&
      Date.now() - publisher.unreachable.since > BROKER_DOWN_MS
        ? `broker unavailable: ${publisher.unreachable.error}; left stored`
        : undefined;
    let job = await this.waitForEnd(created.id, WAIT_FOR_JOB_MS, brokerDown);
    const failed: RedeliverResult['failed'] = [];
    if (!FINAL.includes(job.state)) {
      const reason =
        brokerDown() ??
        `not redelivered within ${
          WAIT_FOR_JOB_MS / 1000
        } s (is the broker reachable?); left stored`;
      job =
        (await jobs.transition(
          job.id,
          CONTROLS.cancel.from,
          'cancelled',
          new Date(),
        )) ?? job;
      this.deps.runner.notify(job.id);
      for (const item of await jobs.nextItems(job.id, 100_000)) {
        failed.push({ id: item.deadLetterId, reason });
      }
      job = (await jobs.get(job.id)) ?? job;
    }
    for (const f of await jobs.failures(job.id))
      failed.unshift({ id: f.deadLetterId, reason: f.detail });
    for (const id of created.untaken ?? []) {
      failed.push({
        id,
        reason: 'not found, or being redelivered by another request',
      });
    }
    return { redelivered: job.published, failed, job: job.id };
  }

  private async waitForEnd(
    id: string,
    timeoutMs: number,
    giveUp: () => string | undefined,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.deps.jobs.get(id);
      if (!job) throw new NotFoundError(`no redelivery job '${id}'`);
      if (FINAL.includes(job.state) || Date.now() > deadline || giveUp())
        return job;
      await new Promise(r => setTimeout(r, 50));
    }
  }

  /** An environment's jobs, newest first. */
  async list(environment: string, limit: number): Promise<RedeliveryJob[]> {
    const jobs = await this.deps.jobs.list(environment, limit);
    const reasons = await this.deps.jobs.failedByReason(jobs.map(j => j.id));
    return jobs.map(j => this.view(j, reasons.get(j.id) ?? {}));
  }

  /** One job; NotFoundError when there is none. */
  async get(id: string): Promise<RedeliveryJob> {
    const job = await this.stored(id);
    const reasons = await this.deps.jobs.failedByReason([id]);
    return this.view(job, reasons.get(id) ?? {});
  }

  /** The job as stored (its environment, for the router's checks). */
  async stored(id: string): Promise<StoredRedeliveryJob> {
    const job = await this.deps.jobs.get(id);
    if (!job) throw new NotFoundError(`no redelivery job '${id}'`);
    return job;
  }

  /** Squad and service of every message of a job (for permission checks). */
  owners(id: string) {
    return this.deps.jobs.owners(id);
  }

  /**
   * Pauses, resumes or cancels a job. The replica running it notices within
   * a fifth of a second (this one at once) and publishes nothing more;
   * what was confirmed stays published.
   */
  async control(
    id: string,
    action: keyof typeof CONTROLS,
  ): Promise<RedeliveryJob> {
    const { from, to } = CONTROLS[action];
    const moved = await this.deps.jobs.transition(id, from, to, new Date());
    if (!moved) {
      const job = await this.stored(id);
      throw new ConflictError(
        `cannot ${action} redelivery job ${id}: it is ${job.state}`,
      );
    }
    this.deps.runner.notify(id);
    if (action === 'resume') this.deps.runner.wake();
    void this.publishUpdate(id);
    return this.get(id);
  }

  /** The API's view of a job. */
  view(
    job: StoredRedeliveryJob,
    failedByReason: Record<string, number>,
  ): RedeliveryJob {
    const remaining = job.total - job.published - job.failed;
    const pace = job.currentRate || job.rate || 0;
    return {
      id: job.id,
      environment: job.environment,
      state: job.state,
      createdBy: job.createdBy,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      selection:
        'ids' in job.selection
          ? { ids: job.selection.ids.length }
          : { filter: job.selection.filter },
      squads: job.squads,
      services: job.services,
      rate: job.rate,
      ramp: job.ramp,
      progress: {
        total: job.total,
        published: job.published,
        failed: job.failed,
        failedByReason,
        remaining,
        duplicateWindow: job.duplicateWindow,
        refailed: job.refailed,
        currentRate: job.state === 'running' ? job.currentRate : 0,
        previewed: job.previewed,
        arrivedAfterPreview: job.arrivedAfterPreview,
        goneSincePreview: job.goneSincePreview,
        etaSeconds:
          job.state === 'running' && pace > 0
            ? Math.round((remaining / pace) * 10) / 10
            : null,
      },
      error: job.error,
      pausedReason: job.pausedReason,
    };
  }
}
