import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ReleaseStatus } from '@internal/plugin-release-status-common';
import { Knex } from 'knex';
import { ReleaseStatusStore, StoredReleaseStatus } from './ReleaseStatusStore';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-release-status-backend',
  'migrations',
);

/** A release_status row as the database returns it. */
interface RawReleaseStatusRow {
  entity_ref: string;
  owner_ref: string | null;
  status: string | null;
  fingerprint: string | null;
  computed_at: string | number | Date | null;
  checked_at: string | number | Date | null;
  last_error: string | null;
  last_error_at: string | number | Date | null;
}

/** Refs per `IN (...)`: well under SQLite's bound-variable limit. */
const CHUNK = 500;

const iso = (v: string | number | Date | null) =>
  v === null ? null : new Date(v).toISOString();

const fromRow = (r: RawReleaseStatusRow): StoredReleaseStatus => ({
  entityRef: r.entity_ref,
  status: r.status ? (JSON.parse(r.status) as ReleaseStatus) : null,
  fingerprint: r.fingerprint,
  computedAt: iso(r.computed_at),
  checkedAt: iso(r.checked_at),
  lastError: r.last_error,
  lastErrorAt: iso(r.last_error_at),
});

const key = (entityRef: string) => entityRef.toLocaleLowerCase('en-US');
const ownerKey = (ownerRef: string | null) => ownerRef && key(ownerRef);

/** Release statuses in the plugin's database (PostgreSQL or SQLite). */
export class DatabaseReleaseStatusStore implements ReleaseStatusStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseReleaseStatusStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseReleaseStatusStore(knex);
  }

  private constructor(private readonly db: Knex) {}

  async get(entityRef: string): Promise<StoredReleaseStatus | undefined> {
    const row: RawReleaseStatusRow | undefined = await this.db('release_status')
      .where('entity_ref', key(entityRef))
      .first();
    return row && fromRow(row);
  }

  async getMany(
    entityRefs: string[],
  ): Promise<Map<string, StoredReleaseStatus>> {
    const result = new Map<string, StoredReleaseStatus>();
    const keys = [...new Set(entityRefs.map(key))];
    for (let i = 0; i < keys.length; i += CHUNK) {
      const rows: RawReleaseStatusRow[] = await this.db(
        'release_status',
      ).whereIn('entity_ref', keys.slice(i, i + CHUNK));
      for (const row of rows) result.set(row.entity_ref, fromRow(row));
    }
    return result;
  }

  async listByOwner(
    ownerRef?: string,
  ): Promise<Map<string, StoredReleaseStatus>> {
    const query = this.db('release_status');
    if (ownerRef !== undefined) query.where('owner_ref', key(ownerRef));
    const rows: RawReleaseStatusRow[] = await query;
    return new Map(rows.map(row => [row.entity_ref, fromRow(row)]));
  }

  async saveComputed(entry: {
    entityRef: string;
    ownerRef: string | null;
    status: ReleaseStatus;
    fingerprint: string | null;
    at: Date;
    error: string | null;
  }): Promise<void> {
    await this.db('release_status')
      .insert({
        entity_ref: key(entry.entityRef),
        owner_ref: ownerKey(entry.ownerRef),
        status: JSON.stringify(entry.status),
        fingerprint: entry.fingerprint,
        computed_at: entry.at,
        checked_at: entry.at,
        last_error: entry.error,
        last_error_at: entry.error ? entry.at : null,
      })
      .onConflict('entity_ref')
      .merge();
  }

  async markChecked(
    entityRef: string,
    at: Date,
    ownerRef: string | null,
  ): Promise<void> {
    await this.db('release_status')
      .where('entity_ref', key(entityRef))
      .update({
        owner_ref: ownerKey(ownerRef),
        checked_at: at,
        last_error: null,
        last_error_at: null,
      });
  }

  async saveError(
    entityRef: string,
    message: string,
    at: Date,
    ownerRef: string | null,
  ): Promise<void> {
    await this.db('release_status')
      .insert({
        entity_ref: key(entityRef),
        owner_ref: ownerKey(ownerRef),
        checked_at: at,
        last_error: message,
        last_error_at: at,
      })
      .onConflict('entity_ref')
      .merge(['owner_ref', 'checked_at', 'last_error', 'last_error_at']);
  }

  async listEntityRefs(): Promise<string[]> {
    const rows: { entity_ref: string }[] = await this.db(
      'release_status',
    ).select('entity_ref');
    return rows.map(r => r.entity_ref);
  }

  async remove(entityRefs: string[]): Promise<void> {
    for (let i = 0; i < entityRefs.length; i += CHUNK) {
      await this.db('release_status')
        .whereIn('entity_ref', entityRefs.slice(i, i + CHUNK).map(key))
        .delete();
    }
  }
}
