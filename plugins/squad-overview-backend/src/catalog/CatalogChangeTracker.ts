import crypto from 'node:crypto';
import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  NewPulseEvent,
  PulseStore,
  SnapshotEntry,
} from '../database/PulseStore';
import { LUNAR_ANNOTATIONS } from '@internal/plugin-lunar-common';
import { nameOf, ownerOf, refOf } from '../names';

const FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  `metadata.annotations.${LUNAR_ANNOTATIONS.releaseManagerService}`,
  'relations',
];

/** Components read per catalog request. */
const PAGE = 500;

/**
 * Turns changes in the catalog's components into pulse events: a service
 * added to or removed from the catalog, or moved to another squad. It
 * compares the catalog with the snapshot it stored on its previous run.
 * Starting from an empty snapshot (a new installation) it only takes
 * snapshots, silently, until a look finds the catalog unchanged: the
 * catalog is still loading until then, and what it loads is not new.
 */
export class CatalogChangeTracker {
  /** Whether looks are only taking the first snapshot (see above). */
  private seeding?: boolean;

  constructor(
    private readonly deps: {
      store: PulseStore;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  /** One comparison; returns the number of events it stored. */
  async run(): Promise<number> {
    const current = await this.readComponents();
    const previous = new Map(
      (await this.deps.store.snapshot()).map(e => [e.entityRef, e]),
    );
    if (current.size === 0 && previous.size > 0) {
      // A catalog with no components at all (a new catalog database, an
      // outage) is not every service removed: wait for it to fill again.
      this.deps.logger.warn(
        `squad pulse: the catalog has no components; not recording ${previous.size} removals`,
      );
      return 0;
    }
    const at = (this.deps.now?.() ?? new Date()).toISOString();
    this.seeding ??= previous.size === 0;
    const seeding = this.seeding;
    const upserts: SnapshotEntry[] = [];
    const events: NewPulseEvent[] = [];
    const event = (
      kind: NewPulseEvent['kind'],
      entry: SnapshotEntry,
      squad: string,
      summary: string,
    ) =>
      events.push({
        dedupKey: sha256(kind, entry.entityRef, squad, at),
        kind,
        occurredAt: at,
        squad,
        entityRef: kind === 'service-removed' ? null : entry.entityRef,
        service: entry.name,
        environment: null,
        actor: null,
        summary,
      });

    for (const entry of current.values()) {
      const before = previous.get(entry.entityRef);
      if (!before) {
        upserts.push(entry);
        if (!seeding && entry.owner) {
          event(
            'service-added',
            entry,
            entry.owner,
            `${entry.name} was added to the catalog`,
          );
        }
        continue;
      }
      if (
        before.owner !== entry.owner ||
        before.service !== entry.service ||
        before.name !== entry.name
      ) {
        upserts.push(entry);
      }
      if (before.owner !== entry.owner) {
        const from = before.owner ? nameOf(before.owner) : 'no owner';
        const to = entry.owner ? nameOf(entry.owner) : 'no owner';
        const summary = `${entry.name} moved from ${from} to ${to}`;
        if (entry.owner) event('owner-changed', entry, entry.owner, summary);
        if (before.owner) event('owner-changed', entry, before.owner, summary);
      }
    }
    const removals: string[] = [];
    for (const before of previous.values()) {
      if (current.has(before.entityRef)) continue;
      removals.push(before.entityRef);
      if (before.owner) {
        event(
          'service-removed',
          before,
          before.owner,
          `${before.name} was removed from the catalog`,
        );
      }
    }
    // Still loading: what it loads is not news.
    if (seeding) events.length = 0;
    if (upserts.length || removals.length) {
      await this.deps.store.applyCatalogChanges({ upserts, removals, events });
    } else if (seeding && current.size > 0) {
      this.seeding = false;
      this.deps.logger.info(
        `squad pulse: catalog snapshot taken (${current.size} components); recording changes from now on`,
      );
    }
    if (events.length) {
      this.deps.logger.info(
        `squad pulse: ${events.length} catalog change(s) recorded`,
      );
    }
    return events.length;
  }

  private async readComponents(): Promise<Map<string, SnapshotEntry>> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const result = new Map<string, SnapshotEntry>();
    let cursor: string | undefined;
    do {
      const page = await this.deps.catalog.queryEntities(
        cursor
          ? { cursor, fields: FIELDS, limit: PAGE }
          : { filter: { kind: 'component' }, fields: FIELDS, limit: PAGE },
        { credentials },
      );
      for (const entity of page.items) {
        const ref = refOf(entity);
        result.set(ref, {
          entityRef: ref,
          name: entity.metadata.name,
          service:
            entity.metadata.annotations?.[
              LUNAR_ANNOTATIONS.releaseManagerService
            ] ?? entity.metadata.name,
          owner: ownerOf(entity),
        });
      }
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    return result;
  }
}

export function sha256(...parts: string[]): string {
  const hash = crypto.createHash('sha256');
  for (const p of parts) hash.update(p).update('\0');
  return hash.digest('hex');
}
