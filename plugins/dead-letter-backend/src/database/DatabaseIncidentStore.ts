import { Knex } from 'knex';
import {
  DetectionWindow,
  ErrorGroupActivity,
  Incident,
  IncidentChange,
  IncidentCounts,
  IncidentKey,
  IncidentKind,
  IncidentState,
  IncidentStore,
  ServiceActivity,
} from './IncidentStore';

/** A dead_letter_incidents row as the database returns it. */
export interface RawIncidentRow {
  id: string | number;
  environment: string;
  service: string;
  kind: string;
  error_group: string;
  state: string;
  squad: string | null;
  first_seen_at: string | Date;
  last_seen_at: string | Date;
  opened_at: string | Date;
  resolved_at: string | Date | null;
  window_count: number | string;
  peak_count: number | string;
  total: number | string;
  baseline: number | string;
  threshold: number | string;
  notified_state: string | null;
  notified_count: number | string;
  version: number | string;
}

const TABLE = 'dead_letter_incidents';
/** Where dead-lettered messages are: stored ones and archived ones. */
const MESSAGE_TABLES = ['dead_letters', 'dead_letter_archive'];

const iso = (v: string | Date) => new Date(v).toISOString();

function fromRow(row: RawIncidentRow): Incident {
  return {
    id: String(row.id),
    environment: row.environment,
    service: row.service,
    kind: row.kind as IncidentKind,
    errorGroup: row.kind === 'spike' ? null : row.error_group,
    state: row.state as IncidentState,
    squad: row.squad,
    firstSeenAt: iso(row.first_seen_at),
    lastSeenAt: iso(row.last_seen_at),
    openedAt: iso(row.opened_at),
    resolvedAt: row.resolved_at === null ? null : iso(row.resolved_at),
    windowCount: Number(row.window_count),
    peakCount: Number(row.peak_count),
    total: Number(row.total),
    baseline: Number(row.baseline),
    threshold: Number(row.threshold),
    notifiedState: row.notified_state as IncidentState | null,
    notifiedCount: Number(row.notified_count),
    version: Number(row.version),
  };
}

/** The columns of a change (undefined fields are left as they are). */
function toColumns(change: IncidentChange) {
  const columns: Record<string, unknown> = {
    state: change.state,
    squad: change.squad,
    first_seen_at: change.firstSeenAt,
    last_seen_at: change.lastSeenAt,
    opened_at: change.openedAt,
    resolved_at: change.resolvedAt,
    window_count: change.windowCount,
    peak_count: change.peakCount,
    total: change.total,
    baseline: change.baseline,
    threshold: change.threshold,
    notified_state: change.notifiedState,
    notified_count: change.notifiedCount,
  };
  for (const key of Object.keys(columns))
    if (columns[key] === undefined) delete columns[key];
  return columns;
}

const keyColumns = (key: IncidentKey) => ({
  environment: key.environment,
  service: key.service,
  kind: key.kind,
  error_group: key.errorGroup ?? '',
});

/** The incident store on the plugin's database (PostgreSQL or SQLite). */
export class DatabaseIncidentStore implements IncidentStore {
  /** `db` is the plugin's client, migrated by DatabaseDeadLetterStore.create. */
  constructor(private readonly db: Knex) {}

  /**
   * The environment's stored and archived messages dead-lettered in
   * [from, to), with the given columns: a subquery to count from. Each
   * table is read through its (environment, service, dead_lettered_at)
   * index.
   */
  private messages(
    environment: string,
    from: Date,
    to: Date,
    columns: string[],
    narrow?: (q: Knex.QueryBuilder) => void,
  ) {
    const part = (q: Knex.QueryBuilder, table: string) => {
      q.from(table)
        .select(columns)
        .where('environment', environment)
        .whereNotNull('service')
        .where('dead_lettered_at', '>=', from.toISOString())
        .where('dead_lettered_at', '<', to.toISOString());
      narrow?.(q);
      return q;
    };
    // No parentheses around the union's parts: SQLite refuses them.
    return part(this.db.queryBuilder(), MESSAGE_TABLES[0])
      .unionAll(q => part(q, MESSAGE_TABLES[1]))
      .as('m');
  }

  /** `sum`, `min`, `max` over the window and the lookback before it. */
  private windowAggregates(window: DetectionWindow) {
    const from = window.windowFrom.toISOString();
    const raw = (sql: string) => this.db.raw(sql, [from]);
    return {
      current: raw('sum(case when dead_lettered_at >= ? then 1 else 0 end)'),
      before: raw('sum(case when dead_lettered_at < ? then 1 else 0 end)'),
      first_at: raw(
        'min(case when dead_lettered_at >= ? then dead_lettered_at end)',
      ),
      last_at: this.db.raw('max(dead_lettered_at)'),
      squad: raw('max(case when dead_lettered_at >= ? then squad end)'),
    };
  }

  async serviceActivity(
    environment: string,
    window: DetectionWindow,
  ): Promise<ServiceActivity[]> {
    const agg = this.windowAggregates(window);
    const rows: any[] = await this.db
      .from(
        this.messages(environment, window.lookbackFrom, window.to, [
          'service',
          'squad',
          'dead_lettered_at',
        ]),
      )
      .select({ service: 'service', ...agg })
      .groupBy('service')
      .havingRaw('sum(case when dead_lettered_at >= ? then 1 else 0 end) > 0', [
        window.windowFrom.toISOString(),
      ]);
    return rows.map(r => ({
      service: r.service,
      current: Number(r.current),
      before: Number(r.before),
      firstAt: iso(r.first_at),
      lastAt: iso(r.last_at),
      squad: r.squad ?? null,
    }));
  }

  async errorGroupActivity(
    environment: string,
    window: DetectionWindow,
  ): Promise<ErrorGroupActivity[]> {
    const agg = this.windowAggregates(window);
    const rows: any[] = await this.db
      .from(
        this.messages(
          environment,
          window.lookbackFrom,
          window.to,
          ['service', 'squad', 'error_group', 'dead_lettered_at'],
          q => q.whereNotNull('error_group'),
        ),
      )
      .select({ service: 'service', error_group: 'error_group', ...agg })
      .groupBy('service', 'error_group')
      .havingRaw('sum(case when dead_lettered_at >= ? then 1 else 0 end) > 0', [
        window.windowFrom.toISOString(),
      ]);
    return rows.map(r => ({
      service: r.service,
      errorGroup: r.error_group,
      current: Number(r.current),
      before: Number(r.before),
      firstAt: iso(r.first_at),
      lastAt: iso(r.last_at),
      squad: r.squad ?? null,
    }));
  }

  async countBetween(
    environment: string,
    service: string,
    errorGroup: string | null,
    since: Date,
    to: Date,
  ): Promise<number> {
    const [row]: any[] = await this.db
      .from(
        this.messages(environment, since, to, ['dead_lettered_at'], q => {
          q.where('service', service);
          if (errorGroup !== null) q.where('error_group', errorGroup);
        }),
      )
      .count({ count: '*' });
    return Number(row?.count ?? 0);
  }

  async openIncidents(environment: string): Promise<Incident[]> {
    const rows: RawIncidentRow[] = await this.db(TABLE)
      .where({ environment, state: 'open' })
      .orderBy('id');
    return rows.map(fromRow);
  }

  private async byKey(key: IncidentKey) {
    const row: RawIncidentRow | undefined = await this.db(TABLE)
      .where(keyColumns(key))
      .first();
    return row ? fromRow(row) : undefined;
  }

  async open(
    key: IncidentKey,
    counts: IncidentCounts,
    change: Pick<Incident, 'openedAt' | 'notifiedState' | 'notifiedCount'>,
  ): Promise<Incident | null> {
    const inserted = await this.db(TABLE)
      .insert({
        ...keyColumns(key),
        ...toColumns({ ...counts, ...change }),
        state: 'open',
        resolved_at: null,
        version: 0,
      })
      .onConflict(['environment', 'service', 'kind', 'error_group'])
      .ignore()
      .returning('id');
    if (inserted.length > 0) return (await this.byKey(key)) ?? null;
    // The incident happened before: reopen its row, unless another
    // detection already did.
    const existing = await this.byKey(key);
    if (!existing || existing.state === 'open') return null;
    return this.update(existing.id, existing.version, {
      ...counts,
      ...change,
      state: 'open',
      resolvedAt: null,
    });
  }

  async update(
    id: string,
    version: number,
    change: IncidentChange,
  ): Promise<Incident | null> {
    const columns = toColumns(change);
    const updated = await this.db(TABLE)
      .where({ id: Number(id), version })
      .update({ ...columns, version: version + 1 });
    if (!updated) return null;
    const row: RawIncidentRow | undefined = await this.db(TABLE)
      .where({ id: Number(id) })
      .first();
    return row ? fromRow(row) : null;
  }
}
