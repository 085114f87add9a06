import { LoggerService } from '@backstage/backend-plugin-api';
import { redeliveriesPagePath } from '@internal/plugin-dead-letter-common';
import {
  RedeliveryJobStore,
  StoredRedeliveryJob,
} from '../database/RedeliveryJobStore';
import { SquadNotification, SquadNotifier } from './SquadNotifier';

/** The notifications' topic: people can mute it in their settings. */
export const REDELIVERY_TOPIC = 'dead-letter-redelivery';

const count = (n: number) => n.toLocaleString('en-US');

/** `1,240 card-clearing messages`, `3 messages of 2 services`, `1 message`. */
function whatMessages(job: StoredRedeliveryJob) {
  const messages = `${count(job.total)} ${
    job.services.length === 1 ? `${job.services[0]} ` : ''
  }message${job.total === 1 ? '' : 's'}`;
  return job.services.length > 1
    ? `${messages} of ${job.services.length} services`
    : messages;
}

/**
 * The notification of a job that paused itself: the title says what and
 * how bad, the description why and what to do, the link goes to the
 * environment's Redeliveries tab. Scoped to the job, so another send for
 * it updates the same notification.
 */
export function autoPauseNotification(
  job: StoredRedeliveryJob,
): SquadNotification {
  const reason = job.pausedReason ?? 'paused itself';
  return {
    squads: job.squads,
    environment: job.environment,
    title: `Redelivery of ${whatMessages(job)} in ${
      job.environment
    } paused itself: ${count(job.refailed)} failed again`,
    description: `Redelivery job ${job.id} (started by ${
      job.createdBy
    }) ${reason}. ${count(job.published)} of ${count(
      job.total,
    )} were published before the pause. Fix what makes them fail, then resume the job on the Redeliveries tab, or cancel it.`,
    link: redeliveriesPagePath(job.environment),
    scope: `dead-letter-redelivery:${job.environment}:${job.id}`,
    topic: REDELIVERY_TOPIC,
  };
}

/**
 * Tells the owning squads about their redelivery jobs. Never throws: a
 * notification that cannot be sent is logged and the job is not affected.
 */
export class RedeliveryNotifications {
  constructor(
    private readonly deps: {
      jobs: Pick<RedeliveryJobStore, 'get'>;
      notifier: SquadNotifier;
      logger: LoggerService;
    },
  ) {}

  /** A job paused itself (called once, by the replica that paused it). */
  async autoPaused(jobId: string): Promise<boolean> {
    try {
      const job = await this.deps.jobs.get(jobId);
      if (!job) return false;
      return await this.deps.notifier.send(autoPauseNotification(job));
    } catch (e) {
      this.deps.logger.warn(
        `dead-letter redelivery job ${jobId}: could not notify its squads: ${e}`,
      );
      return false;
    }
  }
}
