import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventParams } from '@backstage/plugin-events-node';
import {
  LUNAR_ANNOTATIONS,
  readReleaseManagerEventPayload,
} from '@internal/plugin-lunar-common';
import { isReleasableComponent } from '@internal/plugin-release-status-common';
import { ReleaseStatusRefresher } from './ReleaseStatusRefresher';

export interface ReleaseEventTriggerOptions {
  refresher: ReleaseStatusRefresher;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  /** How long after a service's first event its components are recomputed. */
  delayMs: number;
}

/**
 * Recomputes a service's components soon after release-manager says
 * something happened to it (released, running, failed, a new artifact),
 * instead of waiting for the next scheduled refresh. Events of one service
 * within `delayMs` are taken together (a release usually brings `released`
 * and then `releaseSucceeded`); the service is found in the catalog by the
 * `lunar.app/release-manager-service` annotation, and each releasable
 * component with it is recomputed in full, through the refresher's
 * background queue (at most `concurrency` at a time). A lost or failed
 * event costs nothing but time: the scheduled refresh still comes.
 */
export class ReleaseEventTrigger {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: ReleaseEventTriggerOptions) {}

  /** The events-service handler: schedules the service's refresh. */
  async onEvent(params: EventParams): Promise<void> {
    const event = readReleaseManagerEventPayload(params.eventPayload);
    if (!event) {
      this.options.logger.debug(
        `Release status: ignored an event on ${params.topic} without a type and service`,
      );
      return;
    }
    this.schedule(event.service);
  }

  /** Recomputes the service's components after the delay, once. */
  schedule(service: string): void {
    if (this.stopped || this.timers.has(service)) return;
    const timer = setTimeout(() => {
      this.timers.delete(service);
      const run = this.refreshService(service).finally(() =>
        this.running.delete(run),
      );
      this.running.add(run);
    }, this.options.delayMs);
    timer.unref?.();
    this.timers.set(service, timer);
  }

  /** Services waiting for their delay (for tests). */
  get pending(): number {
    return this.timers.size + this.running.size;
  }

  /** Drops waiting refreshes; waits for lookups already running. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.running);
  }

  private async refreshService(service: string): Promise<void> {
    const { catalog, auth, refresher, logger } = this.options;
    try {
      const { items } = await catalog.getEntities(
        {
          filter: {
            kind: 'component',
            [`metadata.annotations.${LUNAR_ANNOTATIONS.releaseManagerService}`]:
              service,
          },
        },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      const components = items.filter(isReleasableComponent);
      if (!components.length) {
        logger.debug(
          `Release status: release-manager event for ${service}, which no releasable component names`,
        );
        return;
      }
      for (const entity of components) {
        refresher.refreshInBackground(entity, { force: true });
      }
    } catch (e) {
      logger.warn(
        `Release status: could not look up ${service} after its release-manager event: ${
          (e as Error).message
        }`,
      );
    }
  }
}
