import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  ArchiveReason,
  DeadLetterFilter,
  RestoreResult,
  errorGroup,
} from '@internal/plugin-dead-letter-common';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import {
  DEFAULT_ARCHIVE_RETENTION_DAYS,
  DEFAULT_RETENTION_DAYS,
} from '../config';
import { DeadLetterQuery, whereAllowed } from '../permissions';
import {
  ArchiveAction,
  ArchivePolicy,
  DeadLetterStore,
  HistogramOptions,
  NewDeadLetter,
  RetentionRun,
  Selection,
  StoredDeadLetter,
  StoredArchivedDeadLetter,
  StoredDeadLetterDetail,
  RedeliverableDeadLetter,
} from './DeadLetterStore';
import { whereIdIn } from './idList';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-dead-letter-backend',
  'migrations',
);

/** A row as the database returns it. */
export interface RawDeadLetterRow {
  id: string | number;
  environment: string;
  queue: string | null;
  exchange: string | null;
  routing_key: string | null;
  reason: string | null;
  service: string | null;
  squad: string | null;
  message_id: string | null;
  correlation_id: string | null;
  error: string | null;
  dead_lettered_at: string | Date;
  received_at: string | Date;
  redelivery_count: number;
  body_size: number;
  body_truncated: boolean | number;
  headers?: string | Record<string, unknown>;
  properties?: string | Record<string, unknown>;
  body?: Buffer;
}

/** The columns of a list item (no content); `dead_letters.id` where joined. */
export const LIST_COLUMNS = [
  'id',
  'environment',
  'queue',
  'exchange',
  'routing_key',
  'reason',
  'service',
  'squad',
  'message_id',
  'correlation_id',
  'error',
  'dead_lettered_at',
  'received_at',
  'redelivery_count',
  'body_size',
  'body_truncated',
];

/** An archived row: every dead_letters column plus the archive's own. */
interface RawArchivedRow extends RawDeadLetterRow {
  archive_reason: string;
  archived_by: string | null;
  archived_at: string | Date;
  expires_at: string | Date;
}

/**
 * Every column of dead_letters: what archiving copies to
 * dead_letter_archive and restoring copies back, in SQL, so nothing is
 * re-encoded on the way.
 */
const COPY_COLUMNS = [
  'id',
  'dedup_key',
  ...LIST_COLUMNS.filter(c => c !== 'id'),
  'error_group',
  'headers',
  'properties',
  'body',
];

const ARCHIVE_LIST_COLUMNS = [
  ...LIST_COLUMNS,
  'archive_reason',
  'archived_by',
  'archived_at',
  'expires_at',
];

const DAY_MS = 24 * 60 * 60 * 1000;

/** The defaults of config.d.ts. */
const DEFAULT_ARCHIVE_POLICY: ArchivePolicy = {
  days: DEFAULT_ARCHIVE_RETENTION_DAYS,
  retentionDays: DEFAULT_RETENTION_DAYS,
};

const iso = (v: string | Date) => new Date(v).toISOString();
const json = (v: string | Record<string, unknown> | undefined) =>
  (typeof v === 'string' ? JSON.parse(v) : v ?? {}) as Record<string, unknown>;

/** A stored body as a Buffer (PostgreSQL and SQLite give one: not copied). */
const body = (v: Buffer | undefined) =>
  Buffer.isBuffer(v) ? v : Buffer.from(v ?? Buffer.alloc(0));

/** A dead_letters row without its content, as the store returns it. */
export function fromListRow(row: RawDeadLetterRow): StoredDeadLetter {
  return {
    id: String(row.id),
    environment: row.environment,
    queue: row.queue,
    exchange: row.exchange,
    routingKey: row.routing_key,
    reason: row.reason,
    service: row.service,
    squad: row.squad,
    messageId: row.message_id,
    correlationId: row.correlation_id,
    error: row.error,
    deadLetteredAt: iso(row.dead_lettered_at),
    receivedAt: iso(row.received_at),
    redeliveryCount: Number(row.redelivery_count),
    bodySize: Number(row.body_size),
    bodyTruncated: Boolean(row.body_truncated),
  };
}

/** A dead_letters row with its content, as the store returns it. */
export function fromDetailRow(row: RawDeadLetterRow): StoredDeadLetterDetail {
  return {
    ...fromListRow(row),
    headers: json(row.headers),
    properties: json(row.properties),
    body: body(row.body),
  };
}

/**
 * The columns a redelivery reads (RedeliverableDeadLetter): fewer than a
 * detail's, as a job reads them for every message it publishes.
 */
export const REDELIVERY_COLUMNS = [
  'id',
  'exchange',
  'routing_key',
  'redelivery_count',
  'body_truncated',
  'headers',
  'properties',
  'body',
] as const;

/** A dead_letters row of REDELIVERY_COLUMNS, as a redelivery publishes it. */
export function fromRedeliveryRow(
  row: Pick<RawDeadLetterRow, (typeof REDELIVERY_COLUMNS)[number]>,
): RedeliverableDeadLetter {
  return {
    id: String(row.id),
    exchange: row.exchange,
    routingKey: row.routing_key,
    redeliveryCount: Number(row.redelivery_count),
    bodyTruncated: Boolean(row.body_truncated),
    headers: json(row.headers),
    properties: json(row.properties),
    body: body(row.body),
  };
}

function fromArchivedRow(row: RawArchivedRow): StoredArchivedDeadLetter {
  return {
    ...fromListRow(row),
    archiveReason: row.archive_reason as ArchiveReason,
    archivedBy: row.archived_by,
    archivedAt: iso(row.archived_at),
    expiresAt: iso(row.expires_at),
  };
}

/**
 * Cursor: the last row's time (dead-lettered, or archived for the archive)
 * and id, so pages are stable under inserts.
 */
function encodeCursor(time: string, id: string) {
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}
function decodeCursor(cursor: string): [string, string] {
  try {
    const [time, id] = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    );
    if (
      typeof time !== 'string' ||
      Number.isNaN(Date.parse(time)) ||
      // A bigint: at most 18 digits always fits.
      !/^\d{1,18}$/.test(String(id))
    ) {
      throw new Error('bad cursor');
    }
    return [new Date(time).toISOString(), String(id)];
  } catch {
    throw new InputError('invalid cursor');
  }
}

/** The dead-letter store on the plugin's database (PostgreSQL or SQLite). */
export class DatabaseDeadLetterStore implements DeadLetterStore {
  static async create(options: {
    database: DatabaseService;
    /** How long each environment's archived messages are kept; default 14 days (30 days retention). */
    archivePolicy?: (environment: string) => ArchivePolicy;
  }): Promise<DatabaseDeadLetterStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseDeadLetterStore(
      client,
      options.archivePolicy ?? (() => DEFAULT_ARCHIVE_POLICY),
    );
  }

  private constructor(
    private readonly db: Knex,
    private readonly archivePolicy: (environment: string) => ArchivePolicy,
  ) {}

  private get isPostgres() {
    return this.db.client.config.client === 'pg';
  }

  private applyFilter(
    query: Knex.QueryBuilder,
    environment: string,
    filter: DeadLetterFilter,
  ) {
    query.where('environment', environment);
    if (filter.service) query.where('service', filter.service);
    if (filter.squad) query.where('squad', filter.squad);
    if (filter.queue) query.where('queue', filter.queue);
    if (filter.routingKey) query.where('routing_key', filter.routingKey);
    if (filter.error) {
      const escaped = filter.error.replace(/[\\%_]/g, c => `\\${c}`);
      query.whereRaw(`error like ? escape '\\'`, [`%${escaped}%`]);
    }
    if (filter.from)
      query.where(
        'dead_lettered_at',
        '>=',
        new Date(filter.from).toISOString(),
      );
    if (filter.to)
      query.where('dead_lettered_at', '<', new Date(filter.to).toISOString());
    return query;
  }

  /** Narrows a query on dead_letters to a selection (also for redelivery jobs' snapshots). */
  applySelection(
    query: Knex.QueryBuilder,
    environment: string,
    selection: Selection,
  ) {
    if ('ids' in selection) {
      whereIdIn(
        query.where('environment', environment),
        'id',
        selection.ids,
        this.isPostgres,
      );
    } else {
      this.applyFilter(query, environment, selection.filter);
    }
    return selection.allowed ? whereAllowed(query, selection.allowed) : query;
  }

  async purgeOlderThan(
    environment: string,
    cutoff: Date,
    batchSize: number,
  ): Promise<number> {
    let purged = 0;
    for (;;) {
      // The oldest first, through the (environment, dead_lettered_at, id)
      // index; each batch is its own statement.
      const oldest = this.db('dead_letters')
        .select('id')
        .where('environment', environment)
        .where('dead_lettered_at', '<', cutoff.toISOString())
        .orderBy([
          { column: 'dead_lettered_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ])
        .limit(batchSize);
      const deleted = await this.db('dead_letters')
        .whereIn('id', oldest)
        .delete();
      purged += deleted;
      if (deleted < batchSize) return purged;
    }
  }

  async recordRetentionRun(run: RetentionRun): Promise<void> {
    await this.db('dead_letter_retention_runs')
      .insert({
        environment: run.environment,
        days: run.days,
        last_run_at: run.lastRunAt,
        last_purged: run.lastPurged,
      })
      .onConflict('environment')
      .merge();
  }

  async retentionRuns(): Promise<RetentionRun[]> {
    const rows: Array<{
      environment: string;
      days: number;
      last_run_at: string | Date;
      last_purged: string | number;
    }> = await this.db('dead_letter_retention_runs').select();
    return rows.map(r => ({
      environment: r.environment,
      days: Number(r.days),
      lastRunAt: iso(r.last_run_at),
      lastPurged: Number(r.last_purged),
    }));
  }

  async insertBatch(rows: NewDeadLetter[]): Promise<number> {
    if (rows.length === 0) return 0;
    const records = rows.map(r => ({
      dedup_key: r.dedupKey,
      environment: r.environment,
      queue: r.queue,
      exchange: r.exchange,
      routing_key: r.routingKey,
      reason: r.reason,
      service: r.service,
      squad: r.squad,
      message_id: r.messageId,
      correlation_id: r.correlationId,
      error: r.error,
      error_group: errorGroup(r.error),
      dead_lettered_at: r.deadLetteredAt,
      received_at: r.receivedAt,
      redelivery_count: r.redeliveryCount,
      headers: JSON.stringify(r.headers),
      properties: JSON.stringify(r.properties),
      body: r.body,
      body_size: r.bodySize,
      body_truncated: r.bodyTruncated,
    }));
    return this.db.transaction(async tx => {
      let inserted = 0;
      // Keep each statement well under the databases' parameter limits.
      for (let i = 0; i < records.length; i += 200) {
        const result = await tx('dead_letters')
          .insert(records.slice(i, i + 200))
          .onConflict('dedup_key')
          .ignore()
          .returning('id');
        inserted += result.length;
      }
      return inserted;
    });
  }

  async fillErrorGroups(limit: number): Promise<number> {
    let filled = 0;
    for (const table of ['dead_letters', 'dead_letter_archive']) {
      const rows: Array<{ id: string | number; error: string }> = await this.db(
        table,
      )
        .whereNull('error_group')
        .whereNotNull('error')
        .orderBy('id')
        .limit(limit)
        .select('id', 'error');
      // One statement per 300 rows: a CASE keeps it under SQLite's limit
      // of 999 parameters.
      for (let i = 0; i < rows.length; i += 300) {
        const batch = rows.slice(i, i + 300);
        const cases = batch.map(() => 'when ? then ?').join(' ');
        filled += await this.db(table)
          .whereIn(
            'id',
            batch.map(r => Number(r.id)),
          )
          .whereNull('error_group')
          .update({
            error_group: this.db.raw(
              `case id ${cases} end`,
              batch.flatMap(r => [Number(r.id), errorGroup(r.error)]),
            ),
          });
      }
    }
    return filled;
  }

  async list(
    environment: string,
    filter: DeadLetterFilter,
    page: { limit: number; cursor?: string },
  ) {
    const base = () =>
      this.applyFilter(this.db('dead_letters'), environment, filter);
    const query = base()
      .select(LIST_COLUMNS)
      .orderBy([
        { column: 'dead_lettered_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(page.limit + 1);
    if (page.cursor) {
      const [time, id] = decodeCursor(page.cursor);
      query.where(q =>
        q
          .where('dead_lettered_at', '<', time)
          .orWhere(q2 =>
            q2.where('dead_lettered_at', time).andWhere('id', '<', Number(id)),
          ),
      );
    }
    const [rows, [{ count }]] = await Promise.all([
      query as Promise<RawDeadLetterRow[]>,
      base().count({ count: '*' }) as Promise<
        Array<{ count: string | number }>
      >,
    ]);
    const items = rows.slice(0, page.limit).map(fromListRow);
    return {
      items,
      totalCount: Number(count),
      nextCursor:
        rows.length > page.limit
          ? encodeCursor(
              items[items.length - 1].deadLetteredAt,
              items[items.length - 1].id,
            )
          : null,
    };
  }

  async get(id: string) {
    if (!/^\d+$/.test(id)) return undefined;
    const row = await this.db<RawDeadLetterRow>('dead_letters')
      .where('id', Number(id))
      .first();
    return row ? fromDetailRow(row) : undefined;
  }

  async servicesWithoutSquad(limit: number): Promise<string[]> {
    // Archived messages too: restoring is decided by their squad.
    const missing = (table: string) =>
      this.db(table)
        .distinct('service')
        .whereNull('squad')
        .whereNotNull('service');
    const rows: Array<{ service: string }> = await this.db
      .select('service')
      .from(
        missing('dead_letters')
          .union(missing('dead_letter_archive'))
          .as('missing'),
      )
      .orderBy('service')
      .limit(limit);
    return rows.map(r => r.service);
  }

  async setSquad(service: string, squad: string): Promise<number> {
    const [stored, archived] = await Promise.all(
      ['dead_letters', 'dead_letter_archive'].map(table =>
        this.db(table)
          .where('service', service)
          .whereNull('squad')
          .update({ squad }),
      ),
    );
    return stored + archived;
  }

  async count(environment: string, selection: Selection): Promise<number> {
    const [row] = await this.applySelection(
      this.db('dead_letters'),
      environment,
      selection,
    ).count({ count: '*' });
    return Number(row.count);
  }

  async getResources(ids: string[]) {
    const numeric = ids.filter(id => /^\d+$/.test(id)).map(Number);
    const rows: Array<{
      id: number | string;
      environment: string;
      service: string | null;
      squad: string | null;
    }> = numeric.length
      ? await this.db('dead_letters')
          .whereIn('id', numeric)
          .select('id', 'environment', 'service', 'squad')
      : [];
    // Archived messages keep their id, so a policy decides on them too.
    const missing = numeric.filter(id => !rows.some(r => Number(r.id) === id));
    if (missing.length) {
      rows.push(
        ...(await this.db('dead_letter_archive')
          .whereIn('id', missing)
          .select('id', 'environment', 'service', 'squad')),
      );
    }
    const byId = new Map(rows.map(r => [String(r.id), r]));
    return ids.map(id => {
      const r = byId.get(id);
      return r && { ...r, id: String(r.id) };
    });
  }

  async discard(environment: string, selection: Selection): Promise<number> {
    return this.applySelection(
      this.db('dead_letters'),
      environment,
      selection,
    ).delete();
  }

  async delete(
    environment: string,
    selection: Selection,
    by: string | null = null,
  ): Promise<number> {
    return this.archive(environment, selection, { reason: 'deleted', by });
  }

  async archive(
    environment: string,
    selection: Selection,
    action: ArchiveAction,
    tx?: Knex.Transaction,
  ): Promise<number> {
    if (!tx) {
      return this.db.transaction(t =>
        this.archive(environment, selection, action, t),
      );
    }
    const policy = this.archivePolicy(environment);
    const now = new Date();
    const archivedAt = now.toISOString();
    const keepUntil = new Date(now.getTime() + policy.days * DAY_MS);
    const columns = [
      ...COPY_COLUMNS,
      'archived_at',
      'archived_by',
      'archive_reason',
      'expires_at',
    ];
    if (this.isPostgres) {
      // Delete and copy in one statement: only rows this statement really
      // deleted are archived, even while a redelivery holds some of them.
      const moved = this.applySelection(
        tx('dead_letters'),
        environment,
        selection,
      )
        .delete(COPY_COLUMNS)
        .toSQL();
      const result = await tx.raw(
        `with moved as (${moved.sql})
         insert into ?? (??)
         select ??, ?::timestamptz, ?::text, ?::text,
           least(?::timestamptz, dead_lettered_at + make_interval(days => ?))
         from moved`,
        [
          ...moved.bindings,
          'dead_letter_archive',
          columns,
          COPY_COLUMNS,
          archivedAt,
          action.by,
          action.reason,
          keepUntil.toISOString(),
          policy.retentionDays,
        ],
      );
      return Number(result.rowCount);
    }
    // SQLite: one writer at a time, so copy then delete is the same move.
    await tx
      .into(tx.raw('?? (??)', ['dead_letter_archive', columns]))
      .insert(
        this.applySelection(tx('dead_letters'), environment, selection).select([
          ...COPY_COLUMNS,
          tx.raw('? as archived_at', [archivedAt]),
          tx.raw('? as archived_by', [action.by]),
          tx.raw('? as archive_reason', [action.reason]),
          tx.raw(
            `min(?, strftime('%Y-%m-%dT%H:%M:%fZ', dead_lettered_at, ?)) as expires_at`,
            [keepUntil.toISOString(), `+${policy.retentionDays} days`],
          ),
        ]),
      );
    return this.applySelection(
      tx('dead_letters'),
      environment,
      selection,
    ).delete();
  }

  async listArchive(
    environment: string,
    filter: DeadLetterFilter & { archiveReason?: ArchiveReason },
    page: { limit: number; cursor?: string },
  ) {
    const { archiveReason, ...rest } = filter;
    const base = () => {
      const q = this.applyFilter(
        this.db('dead_letter_archive'),
        environment,
        rest,
      );
      return archiveReason ? q.where('archive_reason', archiveReason) : q;
    };
    const query = base()
      .select(ARCHIVE_LIST_COLUMNS)
      .orderBy([
        { column: 'archived_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(page.limit + 1);
    if (page.cursor) {
      const [time, id] = decodeCursor(page.cursor);
      query.where(q =>
        q
          .where('archived_at', '<', time)
          .orWhere(q2 =>
            q2.where('archived_at', time).andWhere('id', '<', Number(id)),
          ),
      );
    }
    const [rows, [{ count }]] = await Promise.all([
      query as Promise<RawArchivedRow[]>,
      base().count({ count: '*' }) as Promise<
        Array<{ count: string | number }>
      >,
    ]);
    const items = rows.slice(0, page.limit).map(fromArchivedRow);
    const last = items[items.length - 1];
    return {
      items,
      totalCount: Number(count),
      nextCursor:
        rows.length > page.limit
          ? encodeCursor(last.archivedAt, last.id)
          : null,
    };
  }

  async countArchived(
    environment: string,
    selection: Selection,
  ): Promise<number> {
    const [row] = await this.applySelection(
      this.db('dead_letter_archive'),
      environment,
      selection,
    ).count({ count: '*' });
    return Number(row.count);
  }

  async restore(
    environment: string,
    selection: { ids: string[]; allowed?: PermissionCriteria<DeadLetterQuery> },
  ): Promise<RestoreResult> {
    const ids = [...new Set(selection.ids)];
    return this.db.transaction(async tx => {
      const query = this.applySelection(
        tx('dead_letter_archive'),
        environment,
        selection,
      ).select('id', 'dedup_key');
      // A concurrent restore of the same ids waits, then finds them stored.
      if (this.isPostgres) query.forUpdate();
      const archived: Array<{ id: string | number; dedup_key: string }> =
        await query;
      const numeric = ids.map(Number);
      const present = new Set(
        (
          (await tx('dead_letters')
            .whereIn('id', numeric)
            .select('id')) as Array<{
            id: string | number;
          }>
        ).map(r => String(r.id)),
      );
      const taken = new Set(
        archived.length
          ? (
              (await tx('dead_letters')
                .whereIn(
                  'dedup_key',
                  archived.map(r => r.dedup_key),
                )
                .select('dedup_key')) as Array<{ dedup_key: string }>
            ).map(r => r.dedup_key)
          : [],
      );
      const restorable = archived
        .filter(r => !present.has(String(r.id)) && !taken.has(r.dedup_key))
        .map(r => Number(r.id));
      if (restorable.length) {
        await tx
          .into(tx.raw('?? (??)', ['dead_letters', COPY_COLUMNS]))
          .insert(
            tx('dead_letter_archive')
              .select(COPY_COLUMNS)
              .whereIn('id', restorable),
          );
        await tx('dead_letter_archive').whereIn('id', restorable).delete();
      }
      const restored = new Set(restorable.map(String));
      const inArchive = new Set(archived.map(r => String(r.id)));
      return {
        restored: ids.filter(id => restored.has(id)),
        skipped: ids.flatMap<RestoreResult['skipped'][number]>(id => {
          if (restored.has(id)) return [];
          if (present.has(id)) return [{ id, reason: 'already-present' }];
          if (inArchive.has(id)) return [{ id, reason: 'stored-again' }];
          return [{ id, reason: 'not-archived' }];
        }),
      };
    });
  }

  async purgeArchive(now: Date, batchSize: number): Promise<number> {
    let purged = 0;
    for (;;) {
      const expired = this.db('dead_letter_archive')
        .select('id')
        .where('expires_at', '<=', now.toISOString())
        .orderBy('expires_at')
        .limit(batchSize);
      const deleted = await this.db('dead_letter_archive')
        .whereIn('id', expired)
        .delete();
      purged += deleted;
      if (deleted < batchSize) return purged;
    }
  }

  async serviceOverview(environment: string, squad?: string) {
    const query = this.db('dead_letters')
      .where('environment', environment)
      .select('service', 'squad')
      .count({ count: '*' })
      .min({ oldest: 'dead_lettered_at' })
      .max({ newest: 'dead_lettered_at' })
      .groupBy('service', 'squad')
      .orderBy('count', 'desc');
    if (squad) query.where('squad', squad);
    const rows: any[] = await query;
    return rows.map(r => ({
      service: r.service,
      squad: r.squad,
      count: Number(r.count),
      oldest: iso(r.oldest),
      newest: iso(r.newest),
    }));
  }

  async squadOverview(environment: string) {
    const rows: any[] = await this.db('dead_letters')
      .where('environment', environment)
      .select('squad')
      .count({ count: '*' })
      .groupBy('squad')
      .orderBy('count', 'desc');
    return rows.map(r => ({ squad: r.squad, count: Number(r.count) }));
  }

  async errorGroups(environment: string, service?: string) {
    // One group per service and error text: a group is then owned by one
    // squad, so one permission decision (on its sample) covers all of it.
    const query = this.db('dead_letters')
      .where('environment', environment)
      .select('service', 'error')
      .count({ count: '*' })
      .max({ newest: 'dead_lettered_at', squad: 'squad' })
      .min({ sampleId: 'id' })
      .groupBy('service', 'error')
      .orderBy([{ column: 'count', order: 'desc' }, { column: 'service' }])
      .limit(200);
    if (service) query.where('service', service);
    const rows: any[] = await query;
    return rows.map(r => ({
      service: r.service,
      squad: r.squad ?? null,
      error: r.error,
      count: Number(r.count),
      newest: iso(r.newest),
      sampleId: String(r.sampleId),
    }));
  }

  async histogram(environment: string, options: HistogramOptions) {
    // Timestamps are timestamptz on PostgreSQL and ISO strings on SQLite.
    const hour = this.isPostgres
      ? this.db.raw(
          `to_char(date_trunc('hour', dead_lettered_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24')`,
        )
      : this.db.raw('substr(dead_lettered_at, 1, 13)');
    const query = this.db('dead_letters')
      .where('environment', environment)
      .where('dead_lettered_at', '>=', options.from.toISOString())
      .select({ hour, key: options.groupBy })
      .count({ count: '*' })
      .groupByRaw(`1, ${options.groupBy}`)
      .orderByRaw('1, 2');
    if (options.squad) query.where('squad', options.squad);
    if (options.service) query.where('service', options.service);
    const rows: any[] = await query;
    return rows.map(r => ({
      hour: String(r.hour),
      key: r.key,
      count: Number(r.count),
    }));
  }
}
