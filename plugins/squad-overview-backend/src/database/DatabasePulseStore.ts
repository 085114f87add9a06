import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  PulseEvent,
  PulseEventKind,
} from '@internal/plugin-squad-overview-common';
import { Knex } from 'knex';
import { NewPulseEvent, PulseStore, SnapshotEntry } from './PulseStore';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-squad-overview-backend',
  'migrations',
);

/** A pulse_events row as the database returns it. */
interface RawPulseEventRow {
  id: string | number;
  kind: string;
  occurred_at: string | Date;
  squad: string;
  entity_ref: string | null;
  service: string;
  environment: string | null;
  actor: string | null;
  artifact_id: string | null;
  summary: string;
}

/** A pulse_catalog_snapshot row. */
interface RawSnapshotRow {
  entity_ref: string;
  name: string;
  service: string;
  owner: string | null;
}

/** Rows per insert statement: well under SQLite's bound-variable limit. */
const CHUNK = 50;

const toRow = (e: NewPulseEvent) => ({
  dedup_key: e.dedupKey,
  kind: e.kind,
  occurred_at: new Date(e.occurredAt),
  squad: e.squad,
  entity_ref: e.entityRef,
  service: e.service,
  environment: e.environment,
  actor: e.actor,
  artifact_id: e.artifactId ?? null,
  summary: e.summary,
  raw: e.raw ?? null,
});

const fromSnapshotRow = (r: RawSnapshotRow): SnapshotEntry => ({
  entityRef: r.entity_ref,
  name: r.name,
  service: r.service,
  owner: r.owner,
});

/** The pulse in the plugin's database (PostgreSQL or SQLite). */
export class DatabasePulseStore implements PulseStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabasePulseStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new DatabasePulseStore(knex);
  }

  private constructor(private readonly db: Knex) {}

  async insertEvents(events: NewPulseEvent[]): Promise<number> {
    return insert(this.db, events);
  }

  async listForSquad(squad: string, limit: number): Promise<PulseEvent[]> {
    const rows: RawPulseEventRow[] = await this.db('pulse_events')
      .where('squad', squad)
      .whereNot('kind', 'unreadable')
      .orderBy([
        { column: 'occurred_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit)
      .select(
        'id',
        'kind',
        'occurred_at',
        'squad',
        'entity_ref',
        'service',
        'environment',
        'actor',
        'artifact_id',
        'summary',
      );
    return rows.map(r => ({
      id: String(r.id),
      kind: r.kind as PulseEventKind,
      occurredAt: new Date(r.occurred_at).toISOString(),
      squad: r.squad,
      entityRef: r.entity_ref,
      service: r.service,
      environment: r.environment,
      actor: r.actor,
      artifactId: r.artifact_id,
      summary: r.summary,
    }));
  }

  async snapshot(): Promise<SnapshotEntry[]> {
    const rows: RawSnapshotRow[] = await this.db('pulse_catalog_snapshot');
    return rows.map(fromSnapshotRow);
  }

  async applyCatalogChanges(changes: {
    upserts: SnapshotEntry[];
    removals: string[];
    events: NewPulseEvent[];
  }): Promise<void> {
    await this.db.transaction(async tx => {
      for (let i = 0; i < changes.removals.length; i += CHUNK) {
        await tx('pulse_catalog_snapshot')
          .whereIn('entity_ref', changes.removals.slice(i, i + CHUNK))
          .delete();
      }
      for (let i = 0; i < changes.upserts.length; i += CHUNK) {
        await tx('pulse_catalog_snapshot')
          .insert(
            changes.upserts.slice(i, i + CHUNK).map(e => ({
              entity_ref: e.entityRef,
              name: e.name,
              service: e.service,
              owner: e.owner,
            })),
          )
          .onConflict('entity_ref')
          .merge();
      }
      await insert(tx, changes.events);
      // Release events stored before the tracker knew their service get
      // its squad now.
      for (const e of changes.upserts) {
        if (!e.owner) continue;
        await tx('pulse_events')
          .whereNull('squad')
          .where('service', e.service)
          .whereNot('kind', 'unreadable')
          .update({ squad: e.owner, entity_ref: e.entityRef });
      }
    });
  }

  async findService(service: string): Promise<SnapshotEntry | undefined> {
    const row: RawSnapshotRow | undefined = await this.db(
      'pulse_catalog_snapshot',
    )
      .where('service', service)
      .orderBy('entity_ref')
      .first();
    return row && fromSnapshotRow(row);
  }

  async prune(before: Date): Promise<number> {
    return this.db('pulse_events').where('occurred_at', '<', before).delete();
  }
}

async function insert(db: Knex, events: NewPulseEvent[]) {
  let inserted = 0;
  for (let i = 0; i < events.length; i += CHUNK) {
    const result: unknown = await db('pulse_events')
      .insert(events.slice(i, i + CHUNK).map(toRow))
      .onConflict('dedup_key')
      .ignore()
      .returning('id');
    inserted += Array.isArray(result) ? result.length : 0;
  }
  return inserted;
}
