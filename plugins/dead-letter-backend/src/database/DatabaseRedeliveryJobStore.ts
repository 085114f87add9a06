import {
  RedeliveryJobState,
  RedeliveryRateStep,
} from '@internal/plugin-dead-letter-common';
import { randomBytes } from 'node:crypto';
import { Knex } from 'knex';
import {
  DatabaseDeadLetterStore,
  LIST_COLUMNS,
  RawDeadLetterRow,
  fromRedeliveryRow,
  REDELIVERY_COLUMNS,
  fromListRow,
} from './DatabaseDeadLetterStore';
import { Selection } from './DeadLetterStore';
import {
  PendingRedeliveryItem,
  PreviewBreakdown,
  PreviewRefusal,
  RedeliveryItemFailure,
  RedeliverySnapshot,
  RedeliveryJobStore,
  StoredRedeliveryJob,
  StoredRedeliveryPreview,
} from './RedeliveryJobStore';
import { idListChunk, whereIdIn } from './idList';

const JOBS = 'dead_letter_redelivery_jobs';
const ITEMS = 'dead_letter_redelivery_items';
const PREVIEWS = 'dead_letter_redelivery_previews';
const PREVIEW_ITEMS = 'dead_letter_redelivery_preview_items';

/** A preview row as the database returns it. */
interface RawPreviewRow {
  id: string | number;
  token: string;
  environment: string;
  created_by: string;
  selection: string;
  total: number | string;
  created_at: string | Date;
  expires_at: string | Date;
}

/** JSON with sorted keys: one text per selection, however it was written. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter(k => (value as Record<string, unknown>)[k] !== undefined)
      .map(
        k =>
          `${JSON.stringify(k)}:${canonical(
            (value as Record<string, unknown>)[k],
          )}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
const UNFINISHED: RedeliveryJobState[] = ['queued', 'running', 'paused'];
/** See `selectable`: how long a finished job's in-flight items hold their rows. */
const PUBLISHING_GRACE_MS = 30_000;
const FINAL: RedeliveryJobState[] = ['cancelled', 'done', 'failed'];

/**
 * SQL: item `i` of job `j` may have been sent without its confirm being
 * recorded: marked `publishing`, or `queued` at or below the job's
 * publishing mark (see `markPublishing`).
 */
const inFlight = (i: string, j: string) =>
  `(${i}.state = 'publishing' or (${i}.state = 'queued' and ${i}.id <= ${j}.publishing_through))`;

/** A job row as the database returns it. */
interface RawRedeliveryJobRow {
  id: string | number;
  environment: string;
  state: RedeliveryJobState;
  created_by: string;
  created_at: string | Date;
  updated_at: string | Date;
  started_at: string | Date | null;
  finished_at: string | Date | null;
  selection: string;
  squads: string;
  services: string;
  rate: number | string | null;
  ramp: string | null;
  total: number | string;
  published: number | string;
  failed: number | string;
  duplicate_window: number | string;
  current_rate: number | string;
  lease_owner: string | null;
  lease_expires_at: string | Date | null;
  error: string | null;
  refailed: number | string;
  auto_pause: boolean | number;
  paused_reason: string | null;
  previewed: number | string | null;
  arrived_after_preview: number | string;
  gone_since_preview: number | string;
  publishing_through: number | string | null;
  owners: string | null;
}

/** An item row joined with its dead letter (absent columns: row gone). */
type RawPendingItemRow = RawDeadLetterRow & {
  item_id: string | number;
  item_state: 'queued' | 'publishing';
  item_attempts: number | string;
  item_dead_letter_id: string | number;
};

const iso = (v: string | Date) => new Date(v).toISOString();
const isoOrNull = (v: string | Date | null) => (v === null ? null : iso(v));

function fromJobRow(row: RawRedeliveryJobRow): StoredRedeliveryJob {
  return {
    id: String(row.id),
    environment: row.environment,
    state: row.state,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    startedAt: isoOrNull(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
    selection: JSON.parse(row.selection),
    squads: JSON.parse(row.squads),
    services: JSON.parse(row.services),
    rate: row.rate === null ? null : Number(row.rate),
    ramp: row.ramp ? (JSON.parse(row.ramp) as RedeliveryRateStep[]) : null,
    total: Number(row.total),
    published: Number(row.published),
    failed: Number(row.failed),
    duplicateWindow: Number(row.duplicate_window),
    currentRate: Number(row.current_rate),
    leaseOwner: row.lease_owner,
    leaseExpiresAt: isoOrNull(row.lease_expires_at),
    error: row.error,
    refailed: Number(row.refailed),
    autoPause: Boolean(row.auto_pause),
    pausedReason: row.paused_reason,
    previewed: row.previewed === null ? null : Number(row.previewed),
    arrivedAfterPreview: Number(row.arrived_after_preview),
    goneSincePreview: Number(row.gone_since_preview),
  };
}

/** Chunks of ids kept well under the databases' parameter limits. */
function chunks<T>(values: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size)
    out.push(values.slice(i, i + size));
  return out;
}

/** Redelivery jobs on the plugin's database (PostgreSQL or SQLite). */
export class DatabaseRedeliveryJobStore implements RedeliveryJobStore {
  constructor(
    private readonly db: Knex,
    private readonly deadLetters: DatabaseDeadLetterStore,
  ) {}

  private get isPostgres() {
    return this.db.client.config.client === 'pg';
  }

  /**
   * The selected rows not already waiting in an unfinished job, nor perhaps
   * in flight for a job that just ended: a job cancelled while a batch was
   * out records that batch (and archives its rows) a moment later; until
   * then, or for PUBLISHING_GRACE_MS after its last record, its items in
   * flight (see `inFlight`) hold their rows. After that such rows are taken again, as
   * `publishing` items (see `create`), so sending them counts as a duplicate.
   */
  private selectable(
    db: Knex | Knex.Transaction,
    environment: string,
    selection: Selection,
    now: Date,
  ) {
    const recent = new Date(now.getTime() - PUBLISHING_GRACE_MS).toISOString();
    return this.deadLetters
      .applySelection(db('dead_letters'), environment, selection)
      .whereNotExists(q =>
        q
          .select(db.raw('1'))
          .from(`${ITEMS} as i`)
          .join(`${JOBS} as j`, 'j.id', 'i.job_id')
          .whereRaw('i.dead_letter_id = dead_letters.id')
          .where(held =>
            held
              .where(waiting =>
                waiting
                  .whereIn('i.state', ['queued', 'publishing'])
                  .whereIn('j.state', UNFINISHED),
              )
              .orWhere(sent =>
                sent
                  .whereRaw(inFlight('i', 'j'))
                  .where('j.updated_at', '>', recent),
              ),
          ),
      );
  }

  async create(job: {
    environment: string;
    createdBy: string;
    selection: Selection;
    rate: number | null;
    ramp: RedeliveryRateStep[] | null;
    now: Date;
    preview?: {
      token: string;
      refuse: (why: PreviewRefusal) => Error;
    };
  }): Promise<StoredRedeliveryJob> {
    const now = job.now.toISOString();
    const { allowed: _allowed, ...selected } = job.selection;
    return this.db.transaction(async tx => {
      const preview = job.preview
        ? await this.usePreview(tx, job, canonical(selected))
        : undefined;
      const [inserted] = await tx(JOBS)
        .insert({
          environment: job.environment,
          state: 'queued',
          created_by: job.createdBy,
          created_at: now,
          updated_at: now,
          selection: JSON.stringify(selected),
          squads: '[]',
          rate: job.rate,
          ramp: job.ramp ? JSON.stringify(job.ramp) : null,
          total: 0,
        })
        .returning('id');
      const id = Number(
        typeof inserted === 'object'
          ? (inserted as { id: number }).id
          : inserted,
      );
      const rows = this.selectable(tx, job.environment, job.selection, job.now);
      if (preview) rows.whereExists(this.previewed(tx, preview.id));
      // A row an earlier (finished) job left in flight (sent, perhaps
      // confirmed, never recorded: a crash, a broker gone at the cancel) may
      // have reached its consumer: its item starts `publishing`, so
      // publishing it counts in this job's duplicate window.
      const insert = rows
        .select(
          tx.raw('cast(? as bigint)', [id]),
          'id',
          'squad',
          'service',
          tx.raw(
            `case when exists (select 1 from ${ITEMS} as e join ${JOBS} as ej on ej.id = e.job_id where e.dead_letter_id = dead_letters.id and ${inFlight(
              'e',
              'ej',
            )}) then 'publishing' else 'queued' end`,
          ),
          tx.raw('0'),
        )
        .orderBy('id');
      const { sql, bindings } = insert.toSQL();
      await tx.raw(
        `insert into ${ITEMS} (job_id, dead_letter_id, squad, service, state, attempts) ${sql}`,
        bindings as Knex.RawBinding[],
      );
      const { total, squads } = await this.snapshotOf(() =>
        tx(ITEMS).where('job_id', id),
      );
      let fromPreview = {};
      if (preview) {
        // What matches now but was not previewed is left alone; counted
        // before the preview's items go.
        const [{ count }] = await this.selectable(
          tx,
          job.environment,
          job.selection,
          job.now,
        )
          .whereNotExists(this.previewed(tx, preview.id))
          .count({ count: '*' });
        fromPreview = {
          previewed: preview.total,
          arrived_after_preview: Number(count),
          gone_since_preview: Math.max(0, preview.total - total),
        };
        await tx(PREVIEW_ITEMS).where('preview_id', preview.id).delete();
        await tx(PREVIEWS).where('id', preview.id).delete();
      }
      // Kept on the job: published items leave the table. By service
      // first, so the job's services are read off in the database's order.
      const owners: Array<{ squad: string | null; service: string | null }> =
        await tx(ITEMS)
          .where('job_id', id)
          .distinct('squad', 'service')
          .orderBy(['service', 'squad']);
      const services = [
        ...new Set(
          owners.flatMap(o => (o.service === null ? [] : [o.service])),
        ),
      ];
      let untaken: string[] | undefined;
      if ('ids' in job.selection) {
        const taken = new Set<string>();
        for (const batch of chunks(job.selection.ids.map(Number))) {
          const found: Array<{ dead_letter_id: string | number }> = await tx(
            ITEMS,
          )
            .where('job_id', id)
            .whereIn('dead_letter_id', batch)
            .select('dead_letter_id');
          found.forEach(r => taken.add(String(r.dead_letter_id)));
        }
        untaken = job.selection.ids.filter(i => !taken.has(String(i)));
      }
      await tx(JOBS)
        .where('id', id)
        .update({
          total,
          squads: JSON.stringify(squads),
          services: JSON.stringify(services),
          owners: JSON.stringify(
            owners.map(o => ({ squad: o.squad, service: o.service })),
          ),
          ...fromPreview,
          ...(total === 0 && { state: 'done', finished_at: now }),
        });
      const row = await tx<RawRedeliveryJobRow>(JOBS).where('id', id).first();
      return { ...fromJobRow(row!), ...(untaken && { untaken }) };
    });
  }

  /** Dead letters (in the outer query) that preview `previewId` saw. */
  private previewed(db: Knex | Knex.Transaction, previewId: number) {
    return db(PREVIEW_ITEMS)
      .select(db.raw('1'))
      .where('preview_id', previewId)
      .whereRaw(`${PREVIEW_ITEMS}.dead_letter_id = dead_letters.id`);
  }

  /** The preview behind a token, locked for this job; else refused. */
  private async usePreview(
    tx: Knex.Transaction,
    job: {
      environment: string;
      createdBy: string;
      now: Date;
      preview?: { token: string; refuse: (why: PreviewRefusal) => Error };
    },
    selection: string,
  ) {
    const { token, refuse } = job.preview!;
    const query = tx<RawPreviewRow>(PREVIEWS).where('token', token);
    // A second job with the same token waits, then finds it used.
    if (this.isPostgres) query.forUpdate();
    const row = await query.first();
    if (!row) throw refuse({ kind: 'unknown' });
    const mismatch = [
      row.environment !== job.environment &&
        `it previewed environment '${row.environment}'`,
      row.created_by !== job.createdBy && "it is another person's preview",
      canonical(JSON.parse(row.selection)) !== selection &&
        'it previewed another selection',
    ].find(Boolean);
    if (mismatch) throw refuse({ kind: 'mismatch', detail: mismatch });
    const expiresAt = iso(row.expires_at);
    if (new Date(expiresAt) <= job.now)
      throw refuse({ kind: 'expired', expiresAt });
    return { id: Number(row.id), total: Number(row.total) };
  }

  async preview(
    environment: string,
    selection: Selection,
    options: {
      createdBy: string;
      now: Date;
      expiresAt: Date;
      top: number;
      samples: number;
    },
  ): Promise<StoredRedeliveryPreview> {
    const { allowed: _allowed, ...selected } = selection;
    const token = randomBytes(24).toString('base64url');
    const stored = canonical(selected);
    // This person's earlier previews of the same selection (the dialog
    // previews again when the rate changes) are replaced: they expire now,
    // and the purge task removes them with every other expired one, in
    // short statements. One row each, outside the snapshot below, so two
    // overlapping previews never fight over the same rows.
    await this.db(PREVIEWS)
      .where({ environment, created_by: options.createdBy, selection: stored })
      .where('expires_at', '>', options.now.toISOString())
      .update({ expires_at: options.now.toISOString() });
    const work = async (tx: Knex.Transaction) => {
      const [inserted] = await tx(PREVIEWS)
        .insert({
          token,
          environment,
          created_by: options.createdBy,
          selection: stored,
          total: 0,
          created_at: options.now.toISOString(),
          expires_at: options.expiresAt.toISOString(),
        })
        .returning('id');
      const id = Number(
        typeof inserted === 'object'
          ? (inserted as { id: number }).id
          : inserted,
      );
      const { sql, bindings } = this.selectable(
        tx,
        environment,
        selection,
        options.now,
      )
        .select(tx.raw('cast(? as bigint)', [id]), 'id')
        .toSQL();
      await tx.raw(
        `insert into ${PREVIEW_ITEMS} (preview_id, dead_letter_id) ${sql}`,
        bindings as Knex.RawBinding[],
      );
      // Everything below describes exactly the recorded messages.
      const rows = () =>
        tx(`${PREVIEW_ITEMS} as p`)
          .join('dead_letters', 'dead_letters.id', 'p.dead_letter_id')
          .where('p.preview_id', id);
      const { total, squads } = await this.snapshotOf(rows);
      await tx(PREVIEWS).where('id', id).update({ total });
      const top = <T extends string>(
        columns: Record<string, string>,
        where?: (q: Knex.QueryBuilder) => void,
        limit = options.top,
      ) => this.breakdown<T>(rows, columns, limit, where);
      const [byTarget, byService, byErrorGroup, exchanges, defaultQueues] = [
        await top<'exchange' | 'routingKey'>({
          exchange: 'exchange',
          routingKey: 'routing_key',
        }),
        await top<'service'>({ service: 'service' }),
        await top<'errorGroup'>({ errorGroup: 'error_group' }),
        await top<'exchange'>({ exchange: 'exchange' }, undefined, 100),
        await top<'queue'>(
          { queue: 'routing_key' },
          q => q.where('exchange', ''),
          100,
        ),
      ];
      const samples: RawDeadLetterRow[] = await rows()
        .select(LIST_COLUMNS.map(c => (c === 'id' ? 'dead_letters.id' : c)))
        // In the preview items' key order: the first few, without a sort.
        .orderBy('p.dead_letter_id')
        .limit(options.samples);
      return {
        token,
        expiresAt: options.expiresAt.toISOString(),
        total,
        squads,
        byTarget: this.withOther(byTarget, total),
        byService: this.withOther(byService, total),
        byErrorGroup: this.withOther(byErrorGroup, total),
        exchanges: this.withOther(exchanges, total),
        defaultExchangeQueues: this.withOther(
          defaultQueues,
          // Known from the exchanges unless there are more than listed.
          exchanges.find(e => e.exchange === '')?.count ??
            (exchanges.length < 100
              ? 0
              : Number(
                  (await rows().where('exchange', '').count({ count: '*' }))[0]
                    .count,
                )),
        ),
        samples: samples.map(fromListRow),
      } as StoredRedeliveryPreview;
    };
    // One snapshot of the table for the recording and every count.
    return this.isPostgres
      ? this.db.transaction(work, { isolationLevel: 'repeatable read' })
      : this.db.transaction(work);
  }

  async purgeExpiredPreviews(now: Date, batchSize: number) {
    const expired: Array<{ id: string | number }> = await this.db(PREVIEWS)
      .where('expires_at', '<=', now.toISOString())
      .select('id');
    for (const { id } of expired) {
      // A preview of a million messages goes in short statements.
      for (;;) {
        const deleted = await this.db(PREVIEW_ITEMS)
          .where('preview_id', Number(id))
          .whereIn(
            'dead_letter_id',
            this.db(PREVIEW_ITEMS)
              .where('preview_id', Number(id))
              .select('dead_letter_id')
              .orderBy('dead_letter_id')
              .limit(batchSize),
          )
          .delete();
        if (deleted < batchSize) break;
      }
      await this.db(PREVIEWS).where('id', Number(id)).delete();
    }
    return expired.length;
  }

  /** The `limit` largest groups of `columns` among `rows`. */
  private async breakdown<T extends string>(
    rows: () => Knex.QueryBuilder,
    columns: Record<string, string>,
    limit: number,
    where?: (q: Knex.QueryBuilder) => void,
  ): Promise<Array<Record<T, string | null> & { count: number }>> {
    const query = rows()
      .select(columns)
      .count({ count: '*' })
      .groupBy(Object.values(columns))
      .orderBy([
        { column: 'count', order: 'desc' },
        ...Object.values(columns).map(column => ({ column })),
      ])
      .limit(limit);
    where?.(query);
    const result: Array<Record<string, unknown>> = await query;
    return result.map(
      r =>
        ({
          ...Object.fromEntries(
            Object.keys(columns).map(k => [k, r[k] ?? null]),
          ),
          count: Number(r.count),
        } as Record<T, string | null> & { count: number }),
    );
  }

  private withOther<T>(
    items: Array<T & { count: number }>,
    total: number,
  ): PreviewBreakdown<T> {
    return {
      items,
      other: Math.max(0, total - items.reduce((sum, i) => sum + i.count, 0)),
    };
  }

  /** Count and squads of rows (dead letters or items). */
  private async snapshotOf(
    rows: () => Knex.QueryBuilder,
  ): Promise<RedeliverySnapshot> {
    const [{ count }] = await rows().count({ count: '*' });
    const squads: Array<{ squad: string | null }> = await rows()
      .distinct('squad')
      .orderBy('squad');
    return { total: Number(count), squads: squads.map(r => r.squad) };
  }

  async get(id: string) {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const row = await this.db<RawRedeliveryJobRow>(JOBS)
      .where('id', Number(id))
      .first();
    return row ? fromJobRow(row) : undefined;
  }

  async list(environment: string, limit: number) {
    const rows: RawRedeliveryJobRow[] = await this.db(JOBS)
      .where('environment', environment)
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(fromJobRow);
  }

  async failedByReason(jobIds: string[]) {
    const result = new Map<string, Record<string, number>>(
      jobIds.map(id => [id, {}]),
    );
    if (jobIds.length === 0) return result;
    const rows: Array<{
      job_id: string | number;
      failure_reason: string;
      count: string | number;
    }> = await this.db(ITEMS)
      .whereIn('job_id', jobIds.map(Number))
      .where('state', 'failed')
      .select('job_id', 'failure_reason')
      .count({ count: '*' })
      .groupBy('job_id', 'failure_reason');
    for (const r of rows)
      result.get(String(r.job_id))![r.failure_reason] = Number(r.count);
    return result;
  }

  async owners(jobId: string) {
    const job: Pick<RawRedeliveryJobRow, 'owners'> | undefined = await this.db(
      JOBS,
    )
      .where('id', Number(jobId))
      .first('owners');
    if (job?.owners) {
      return JSON.parse(job.owners) as Array<{
        squad: string | null;
        service: string | null;
      }>;
    }
    // A job created before owners were kept on it.
    return this.db(ITEMS)
      .where('job_id', Number(jobId))
      .distinct('squad', 'service');
  }

  async transition(
    id: string,
    from: RedeliveryJobState[],
    to: RedeliveryJobState,
    now: Date,
    error?: string,
  ) {
    const updated = await this.db(JOBS)
      .where('id', Number(id))
      .whereIn('state', from)
      .update({
        state: to,
        updated_at: now.toISOString(),
        lease_owner: null,
        lease_expires_at: null,
        current_rate: 0,
        ...(FINAL.includes(to) && { finished_at: now.toISOString() }),
        ...(error !== undefined && { error }),
        // A person resuming a job that paused itself has seen why: it does
        // not pause itself again.
        ...(to === 'queued' && {
          auto_pause: this.db.raw(
            'case when paused_reason is null then auto_pause else ? end',
            [false],
          ),
        }),
        paused_reason: null,
      });
    return updated ? this.get(id) : undefined;
  }

  async claim(owner: string, leaseMs: number, now: Date, exclude: string[]) {
    const at = now.toISOString();
    return this.db.transaction(async tx => {
      const query = tx(JOBS)
        .select('id')
        .whereIn('state', ['queued', 'running'])
        .where(q =>
          q.whereNull('lease_expires_at').orWhere('lease_expires_at', '<', at),
        )
        .orderBy('id')
        .limit(1);
      if (exclude.length) query.whereNotIn('id', exclude.map(Number));
      if (this.isPostgres) query.forUpdate().skipLocked();
      const [row] = await query;
      if (!row) return undefined;
      const taken = await tx(JOBS)
        .where('id', row.id)
        .where(q =>
          q.whereNull('lease_expires_at').orWhere('lease_expires_at', '<', at),
        )
        .update({
          state: 'running',
          lease_owner: owner,
          lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(),
          started_at: tx.raw('coalesce(started_at, ?)', [at]),
          updated_at: at,
        });
      if (!taken) return undefined;
      // What an earlier holder sent under its publishing mark is marked
      // item by item (a few batches at most): the mark is the new holder's
      // own from here on, lowered only over what it did not send itself.
      const [{ publishing_through: mark }] = await tx(JOBS)
        .where('id', row.id)
        .select('publishing_through');
      if (mark !== null) {
        await tx(ITEMS)
          .where('job_id', row.id)
          .where('state', 'queued')
          .where('id', '<=', Number(mark))
          .update({ state: 'publishing' });
        await tx(JOBS)
          .where('id', row.id)
          .update({ publishing_through: null, publishing_by: null });
      }
      const job = await tx<RawRedeliveryJobRow>(JOBS)
        .where('id', row.id)
        .first();
      return fromJobRow(job!);
    });
  }

  async heartbeat(id: string, owner: string, now: Date, leaseMs?: number) {
    if (leaseMs !== undefined) {
      await this.db(JOBS)
        .where({ id: Number(id), lease_owner: owner })
        .update({
          lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(),
        });
    }
    const row: { state: RedeliveryJobState; lease_owner: string | null } =
      await this.db(JOBS).where('id', Number(id)).first('state', 'lease_owner');
    return row?.lease_owner === owner ? row.state : undefined;
  }

  async release(id: string, owner: string) {
    await this.db(JOBS)
      .where({ id: Number(id), lease_owner: owner })
      .update({ lease_owner: null, lease_expires_at: null, current_rate: 0 });
  }

  async nextItems(
    jobId: string,
    limit: number,
    afterItemId?: string,
  ): Promise<PendingRedeliveryItem[]> {
    const job: Pick<RawRedeliveryJobRow, 'publishing_through'> | undefined =
      await this.db(JOBS)
        .where('id', Number(jobId))
        .first('publishing_through');
    const mark =
      job?.publishing_through === null || job?.publishing_through === undefined
        ? undefined
        : Number(job.publishing_through);
    // The items first (through the pending index, in order, `limit` of
    // them), then their stored messages: joining first fetched and sorted
    // every pending item's message for one read-ahead (1.7 s at 100,000).
    const pending = this.db(ITEMS)
      .where('job_id', Number(jobId))
      // Spelled out as the pending index's predicate, so the planner uses it.
      .whereRaw(`state in ('queued', 'publishing')`)
      .where('id', '>', Number(afterItemId ?? 0))
      .orderBy('id')
      .limit(limit)
      .select('id', 'state', 'attempts', 'dead_letter_id')
      .as('i');
    const rows: RawPendingItemRow[] = await this.db
      .from(pending)
      .leftJoin('dead_letters as d', 'd.id', 'i.dead_letter_id')
      .orderBy('i.id')
      .select(
        ...REDELIVERY_COLUMNS.map(c => `d.${c}`),
        'i.id as item_id',
        'i.state as item_state',
        'i.attempts as item_attempts',
        'i.dead_letter_id as item_dead_letter_id',
      );
    return rows.map(r => {
      const sent =
        r.item_state === 'publishing' ||
        (mark !== undefined && Number(r.item_id) <= mark);
      return {
        id: String(r.item_id),
        deadLetterId: String(r.item_dead_letter_id),
        state: sent ? 'publishing' : 'queued',
        // The stored attempts count the unrecorded sends found so far (see
        // markPublishing); an item in flight has one more, not yet found.
        attempts: Number(r.item_attempts) + (sent ? 1 : 0),
        row:
          r.id === null || r.id === undefined
            ? undefined
            : fromRedeliveryRow(r),
      };
    });
  }

  async markPublishing(
    jobId: string,
    owner: string,
    throughItemId: string,
    resent: string[],
  ) {
    const through = Number(throughItemId);
    return this.db.transaction(async tx => {
      // Only while `owner` holds the lease (the job's row stays locked by
      // the update until the end): a replica that lost it must not mark
      // items the new holder may have published already.
      const updated = await tx(JOBS)
        .where({ id: Number(jobId), lease_owner: owner })
        .update({
          publishing_through: tx.raw(
            'case when publishing_through is null or publishing_through < ? then ? else publishing_through end',
            [through, through],
          ),
          duplicate_window: tx.raw('duplicate_window + ?', [resent.length]),
          publishing_by: owner,
        });
      if (!updated) return undefined;
      // Each unrecorded send found is one more attempt.
      for (const ids of chunks(resent.map(Number))) {
        await tx(ITEMS)
          .whereIn('id', ids)
          .whereIn('state', ['queued', 'publishing'])
          .update({ state: 'publishing', attempts: tx.raw('attempts + 1') });
      }
      return resent.length;
    });
  }

  async unmarkFrom(jobId: string, owner: string, fromItemId: string) {
    // Not once another replica holds the job (it may have sent them
    // since), nor, when nobody holds it, once another raised the mark.
    const below = Number(fromItemId) - 1;
    const updated = await this.db(JOBS)
      .where('id', Number(jobId))
      .where(q =>
        q
          .where('lease_owner', owner)
          .orWhere(free =>
            free.whereNull('lease_owner').where('publishing_by', owner),
          ),
      )
      .update({
        publishing_through: this.db.raw(
          'case when publishing_through > ? then ? else publishing_through end',
          [below, below],
        ),
      });
    return updated > 0;
  }

  async record(
    jobId: string,
    outcome: {
      published: Array<{ itemId: string; deadLetterId: string }>;
      failed: RedeliveryItemFailure[];
    },
    currentRate: number,
    now: Date,
  ) {
    const at = now.toISOString();
    await this.db.transaction(async tx => {
      const job: { environment: string; created_by: string } = await tx(JOBS)
        .where('id', Number(jobId))
        .first('environment', 'created_by');
      let published = 0;
      const size = idListChunk(this.isPostgres);
      for (const batch of chunks(outcome.published, size)) {
        // Counted on the job; the items themselves go (deleting writes no
        // index entries, marking them would write one in every index).
        // Queued ones too: at or below the publishing mark they were sent.
        published += await whereIdIn(
          tx(ITEMS),
          'id',
          batch.map(p => p.itemId),
          this.isPostgres,
        )
          .whereIn('state', ['queued', 'publishing'])
          .delete();
        // Redelivered rows go to the archive, restorable for a while.
        await this.deadLetters.archive(
          job.environment,
          { ids: batch.map(p => p.deadLetterId) },
          { reason: 'redelivered', by: job.created_by },
          tx,
        );
      }
      let failed = 0;
      const byReason = new Map<string, RedeliveryItemFailure[]>();
      for (const f of outcome.failed) {
        const key = JSON.stringify([f.reason, f.detail]);
        byReason.set(key, [...(byReason.get(key) ?? []), f]);
      }
      for (const group of byReason.values()) {
        for (const batch of chunks(group, size)) {
          failed += await whereIdIn(
            tx(ITEMS),
            'id',
            batch.map(f => f.itemId),
            this.isPostgres,
          )
            .whereIn('state', ['queued', 'publishing'])
            .update({
              state: 'failed',
              failure_reason: group[0].reason,
              failure_detail: group[0].detail,
            });
        }
      }
      await tx(JOBS)
        .where('id', Number(jobId))
        .update({
          published: tx.raw('published + ?', [published]),
          failed: tx.raw('failed + ?', [failed]),
          current_rate: currentRate,
          updated_at: at,
        });
    });
  }

  async finishIfComplete(id: string, owner: string, now: Date) {
    return this.db.transaction(async tx => {
      const [{ count }] = await tx(ITEMS)
        .where('job_id', Number(id))
        .whereIn('state', ['queued', 'publishing'])
        .count({ count: '*' });
      if (Number(count) > 0) return false;
      const updated = await tx(JOBS)
        .where({ id: Number(id), lease_owner: owner, state: 'running' })
        .update({
          state: 'done',
          finished_at: now.toISOString(),
          updated_at: now.toISOString(),
          lease_owner: null,
          lease_expires_at: null,
          current_rate: 0,
        });
      return updated > 0;
    });
  }

  async failures(jobId: string): Promise<RedeliveryItemFailure[]> {
    const rows: Array<{
      id: string | number;
      dead_letter_id: string | number;
      failure_reason: string;
      failure_detail: string;
    }> = await this.db(ITEMS)
      .where({ job_id: Number(jobId), state: 'failed' })
      .orderBy('id')
      .select('id', 'dead_letter_id', 'failure_reason', 'failure_detail');
    return rows.map(r => ({
      itemId: String(r.id),
      deadLetterId: String(r.dead_letter_id),
      reason: r.failure_reason,
      detail: r.failure_detail,
    }));
  }

  async countRefailed(job: StoredRedeliveryJob, header: string) {
    // Redelivered without x-death, a message that fails again dies anew:
    // its first death is after the job was created (the time index).
    const [{ count }] = await this.db('dead_letters')
      .where('environment', job.environment)
      .where('dead_lettered_at', '>=', job.createdAt)
      .whereRaw('cast(headers as text) like ?', [
        `%${JSON.stringify(header)}:${JSON.stringify(job.id)}%`,
      ])
      .count({ count: '*' });
    const refailed = Number(count);
    if (refailed > job.refailed) {
      await this.db(JOBS)
        .where('id', Number(job.id))
        .where('refailed', '<', refailed)
        .update({ refailed });
    }
    return Math.max(refailed, job.refailed);
  }

  async autoPause(id: string, owner: string, reason: string, now: Date) {
    const updated = await this.db(JOBS)
      .where({ id: Number(id), lease_owner: owner, state: 'running' })
      .update({
        state: 'paused',
        paused_reason: reason,
        updated_at: now.toISOString(),
        lease_owner: null,
        lease_expires_at: null,
        current_rate: 0,
      });
    return updated > 0;
  }
}
