import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { LUNAR_ANNOTATIONS } from '@internal/plugin-lunar-common';
import {
  ReleaseStatus,
  isReleasableComponent,
} from '@internal/plugin-release-status-common';
import {
  ReleaseStatusStore,
  StoredReleaseStatus,
} from '../database/ReleaseStatusStore';
import { ReleaseStatusService, ownerOf } from './ReleaseStatusService';

/** What one refresh of every component did. */
export interface RefreshSummary {
  /** Components whose status was computed from the sources. */
  computed: number;
  /** Components whose sources looked unchanged (fingerprint), not recomputed. */
  unchanged: number;
  /** Components whose refresh failed or had a failing source. */
  failed: number;
  /** Stored components no longer in the catalog, forgotten. */
  removed: number;
}

export interface ReleaseStatusRefresherOptions {
  service: ReleaseStatusService;
  store: ReleaseStatusStore;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  /** Components computed at once. */
  concurrency: number;
  /** An unchanged component is recomputed anyway after this long. */
  maxAgeMs: number;
  /** The clock, for tests. */
  now?: () => number;
}

/** Entity refs are compared lower-case, as the store keeps them. */
const key = (entityRef: string) => entityRef.toLocaleLowerCase('en-US');

/** Which sources failed in a status, for the component's last error. */
function failedSources(status: ReleaseStatus): string | null {
  const failed = status.sources.filter(
    s => s.state === 'unreachable' || s.state === 'error',
  );
  return failed.length
    ? failed.map(s => `${s.source}: ${s.message ?? s.state}`).join('; ')
    : null;
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}

/**
 * Computes release statuses ahead and keeps them in the store: every
 * component the overview lists on each scheduled run (and any other
 * component someone asked for), one component on demand. A component
 * whose sources look unchanged (same fingerprint, no failure, younger
 * than `maxAgeMs`) is not recomputed. A component's failure is stored
 * for it and never stops the others.
 */
export class ReleaseStatusRefresher {
  private readonly inFlight = new Map<
    string,
    Promise<StoredReleaseStatus | undefined>
  >();
  /** Background refreshes waiting for a slot, by entity ref. */
  private readonly queued = new Map<
    string,
    { entity: Entity; force: boolean }
  >();
  private runningInBackground = 0;
  private readonly now: () => number;

  constructor(private readonly options: ReleaseStatusRefresherOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Refreshes every component; what the scheduled task runs. */
  async refreshAll(): Promise<RefreshSummary> {
    const { catalog, auth, store, concurrency, logger } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const { items } = await catalog.getEntities(
      {
        filter: {
          kind: 'component',
          [`metadata.annotations.${LUNAR_ANNOTATIONS.releaseManagerService}`]:
            CATALOG_FILTER_EXISTS,
        },
      },
      { credentials },
    );
    const entities = items.filter(isReleasableComponent);
    const walked = new Set(entities.map(e => key(stringifyEntityRef(e))));
    // Components asked for outside that set (another type, no annotation)
    // stay refreshed while the catalog has them, and are forgotten after.
    const others = (await store.listEntityRefs()).filter(r => !walked.has(r));
    let removed = 0;
    if (others.length) {
      const { items: found } = await catalog.getEntitiesByRefs(
        { entityRefs: others },
        { credentials },
      );
      const gone: string[] = [];
      others.forEach((ref, i) => {
        const entity = found[i];
        if (entity) entities.push(entity);
        else gone.push(ref);
      });
      await store.remove(gone);
      removed = gone.length;
    }

    const summary: RefreshSummary = {
      computed: 0,
      unchanged: 0,
      failed: 0,
      removed,
    };
    await mapLimit(entities, concurrency, async entity => {
      const outcome = await this.refreshEntity(entity, { force: false });
      summary[outcome]++;
    });
    logger.info(
      `Release status refresh: ${entities.length} components, ${summary.computed} computed, ${summary.unchanged} unchanged, ${summary.failed} failed, ${summary.removed} removed`,
    );
    return summary;
  }

  /**
   * Computes one component now (deduplicated with a refresh of it already
   * running) and returns what is stored for it.
   */
  async refreshOne(
    entity: Entity,
    opts: { force?: boolean } = {},
  ): Promise<StoredReleaseStatus | undefined> {
    const ref = key(stringifyEntityRef(entity));
    const running = this.inFlight.get(ref);
    if (running) return running;
    const promise = this.refreshEntity(entity, { force: opts.force ?? true })
      .then(() => this.options.store.get(ref))
      .finally(() => this.inFlight.delete(ref));
    this.inFlight.set(ref, promise);
    return promise;
  }

  /**
   * Starts computing a component in the background: one that has no stored
   * status (a read found none; skipped when its sources look unchanged), or,
   * with `force`, one release-manager just reported on. Never throws; the
   * caller does not wait. Already queued or running, it is not queued
   * again (a queued one is made forced if asked).
   */
  refreshInBackground(entity: Entity, opts: { force?: boolean } = {}): void {
    const ref = key(stringifyEntityRef(entity));
    const force = opts.force ?? false;
    const waiting = this.queued.get(ref);
    if (waiting) {
      waiting.force ||= force;
      return;
    }
    if (this.inFlight.has(ref)) return;
    this.queued.set(ref, { entity, force });
    this.drain();
  }

  /** Whether no background refresh is running or waiting (for tests). */
  get idle(): boolean {
    return this.runningInBackground === 0 && this.queued.size === 0;
  }

  /** Starts queued background refreshes, at most `concurrency` at a time. */
  private drain() {
    while (
      this.runningInBackground < this.options.concurrency &&
      this.queued.size
    ) {
      const [ref, { entity, force }] = this.queued.entries().next().value!;
      this.queued.delete(ref);
      this.runningInBackground++;
      this.refreshOne(entity, { force })
        .catch(e =>
          this.options.logger.warn(
            `Release status: background refresh of ${ref} failed: ${
              (e as Error).message
            }`,
          ),
        )
        .finally(() => {
          this.runningInBackground--;
          this.drain();
        });
    }
  }

  private async refreshEntity(
    entity: Entity,
    opts: { force: boolean },
  ): Promise<'computed' | 'unchanged' | 'failed'> {
    const { service, store, logger, maxAgeMs } = this.options;
    const ref = stringifyEntityRef(entity);
    // Kept beside the status: a squad's overview reads by owner.
    const owner = ownerOf(entity);
    try {
      const stored = await store.get(ref);
      // Taken before computing: a change while computing shows next time.
      const fingerprint = await service.fingerprint(entity);
      const fresh =
        stored?.status &&
        stored.computedAt &&
        this.now() - Date.parse(stored.computedAt) < maxAgeMs;
      if (
        !opts.force &&
        fresh &&
        !stored.lastError &&
        fingerprint !== undefined &&
        fingerprint === stored.fingerprint
      ) {
        await store.markChecked(ref, new Date(this.now()), owner);
        return 'unchanged';
      }
      const status = await service.compute(entity);
      const error = failedSources(status);
      const at = new Date(this.now());
      await store.saveComputed({
        entityRef: ref,
        ownerRef: owner,
        // generatedAt and computedAt say the same.
        status: { ...status, generatedAt: at.toISOString() },
        // A failed source is asked again next time whatever it looks like.
        fingerprint: error ? null : fingerprint ?? null,
        at,
        error,
      });
      return error ? 'failed' : 'computed';
    } catch (e) {
      const message = (e as Error).message || String(e);
      logger.warn(`Release status: refresh of ${ref} failed: ${message}`);
      try {
        await store.saveError(ref, message, new Date(this.now()), owner);
      } catch (storeError) {
        logger.error(
          `Release status: could not store the failure of ${ref}: ${
            (storeError as Error).message
          }`,
        );
      }
      return 'failed';
    }
  }
}
