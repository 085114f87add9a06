import {
  ArchiveReason,
  DeadLetterFilter,
  RestoreResult,
} from '@internal/plugin-dead-letter-common';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import { DeadLetterQuery, DeadLetterResource } from '../permissions';

/** A row to store, before it has an id. */
export interface NewDeadLetter {
  dedupKey: string;
  environment: string;
  queue: string | null;
  exchange: string | null;
  routingKey: string | null;
  reason: string | null;
  service: string | null;
  squad: string | null;
  messageId: string | null;
  correlationId: string | null;
  error: string | null;
  deadLetteredAt: string;
  receivedAt: string;
  redeliveryCount: number;
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  body: Buffer;
  bodySize: number;
  bodyTruncated: boolean;
}

/** A stored row, as the store returns it. */
export interface StoredDeadLetter
  extends Omit<NewDeadLetter, 'dedupKey' | 'body' | 'headers' | 'properties'> {
  id: string;
}

/** A stored row with headers, properties and body. */
export interface StoredDeadLetterDetail extends StoredDeadLetter {
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  body: Buffer;
}

/** What redelivering a stored message reads of it (see RedeliveryPublisher). */
export type RedeliverableDeadLetter = Pick<
  StoredDeadLetterDetail,
  | 'id'
  | 'exchange'
  | 'routingKey'
  | 'redeliveryCount'
  | 'bodyTruncated'
  | 'headers'
  | 'properties'
  | 'body'
>;

/**
 * Which rows an action applies to, within one environment; `allowed`
 * further restricts them to what a conditional permission decision allows.
 */
export type Selection = ({ ids: string[] } | { filter: DeadLetterFilter }) & {
  allowed?: PermissionCriteria<DeadLetterQuery>;
};

/** An archived row, as the store returns it (metadata only). */
export interface StoredArchivedDeadLetter extends StoredDeadLetter {
  archiveReason: ArchiveReason;
  archivedBy: string | null;
  /** ISO time. */
  archivedAt: string;
  /** ISO time. */
  expiresAt: string;
}

/** Why rows are archived, and by whom (a user entity ref, or null). */
export interface ArchiveAction {
  reason: ArchiveReason;
  by: string | null;
}

/**
 * How long an environment's archived messages are kept: `days` after
 * archiving, but never beyond `retentionDays` after their first death
 * (the message retention, which the archive does not extend).
 */
export interface ArchivePolicy {
  days: number;
  retentionDays: number;
}

/** What `histogram` counts: since when, split how, for which squad or service. */
export interface HistogramOptions {
  groupBy: 'squad' | 'service';
  from: Date;
  squad?: string;
  service?: string;
}

/** The last retention purge of an environment. */
export interface RetentionRun {
  environment: string;
  days: number;
  /** ISO time. */
  lastRunAt: string;
  lastPurged: number;
}

/** Persistence of dead-lettered messages. */
export interface DeadLetterStore {
  /**
   * Deletes an environment's messages dead-lettered before `cutoff`, in
   * batches of `batchSize` (one statement each, so no long lock); returns
   * how many.
   */
  purgeOlderThan(
    environment: string,
    cutoff: Date,
    batchSize: number,
  ): Promise<number>;
  /** Records an environment's last retention purge. */
  recordRetentionRun(run: RetentionRun): Promise<void>;
  /** The last retention purge of each environment that had one. */
  retentionRuns(): Promise<RetentionRun[]>;
  /** Stores a batch in one transaction; rows already stored are skipped. Returns how many were new. */
  insertBatch(rows: NewDeadLetter[]): Promise<number>;
  /**
   * Computes the error group of up to `limit` stored and up to `limit`
   * archived messages that have an error but no group yet (stored before
   * groups were, or by an older replica); returns how many it filled.
   */
  fillErrorGroups(limit: number): Promise<number>;
  /** Services of stored or archived messages that have no squad yet (at most `limit`). */
  servicesWithoutSquad(limit: number): Promise<string[]>;
  /** Gives a service's stored and archived messages that have no squad yet their squad; returns how many. */
  setSquad(service: string, squad: string): Promise<number>;
  list(
    environment: string,
    filter: DeadLetterFilter,
    page: { limit: number; cursor?: string },
  ): Promise<{
    items: StoredDeadLetter[];
    totalCount: number;
    nextCursor: string | null;
  }>;
  get(id: string): Promise<StoredDeadLetterDetail | undefined>;
  /** How many rows a selection holds. */
  count(environment: string, selection: Selection): Promise<number>;
  /** What permission rules need of each id (undefined when unknown). */
  getResources(ids: string[]): Promise<Array<DeadLetterResource | undefined>>;
  /**
   * Deletes an environment's selected rows for good, without archiving
   * (the sample environments' reload); people's deletes use `delete`.
   */
  discard(environment: string, selection: Selection): Promise<number>;
  /**
   * "Deletes" the selected messages: moves them to the archive with
   * reason `deleted` (see {@link DeadLetterStore.archive}); returns how many.
   */
  delete(
    environment: string,
    selection: Selection,
    by?: string | null,
  ): Promise<number>;
  /**
   * Moves the selected rows of `environment` from dead_letters to the
   * archive, copied in SQL (body, headers and properties unchanged), with
   * `action.reason`, `action.by`, the time, and the expiry of the
   * environment's {@link ArchivePolicy}; returns how many were moved.
   * Pass `tx` to make it part of your transaction (for example: archive the
   * rows you redelivered in the transaction that locked them); without it,
   * it runs in a transaction of its own.
   */
  archive(
    environment: string,
    selection: Selection,
    action: ArchiveAction,
    tx?: Knex.Transaction,
  ): Promise<number>;
  /** Archived messages of an environment, latest archived first. */
  listArchive(
    environment: string,
    filter: DeadLetterFilter & { archiveReason?: ArchiveReason },
    page: { limit: number; cursor?: string },
  ): Promise<{
    items: StoredArchivedDeadLetter[];
    totalCount: number;
    nextCursor: string | null;
  }>;
  /** How many archived rows of an environment a selection holds. */
  countArchived(environment: string, selection: Selection): Promise<number>;
  /**
   * Moves archived messages back into dead_letters with the id they had,
   * exactly as they were stored; idempotent: an id that is stored already
   * is reported, not duplicated.
   */
  restore(
    environment: string,
    selection: { ids: string[]; allowed?: PermissionCriteria<DeadLetterQuery> },
  ): Promise<RestoreResult>;
  /** Deletes archived rows whose expiry is before `now`, in batches; returns how many. */
  purgeArchive(now: Date, batchSize: number): Promise<number>;
  serviceOverview(
    environment: string,
    squad?: string,
  ): Promise<
    Array<{
      service: string | null;
      squad: string | null;
      count: number;
      oldest: string;
      newest: string;
    }>
  >;
  squadOverview(
    environment: string,
  ): Promise<Array<{ squad: string | null; count: number }>>;
  errorGroups(
    environment: string,
    service?: string,
  ): Promise<Array<{ error: string | null; count: number; newest: string }>>;
  /**
   * Messages dead-lettered per UTC hour since `from`, split by squad or
   * service; `hour` is `YYYY-MM-DDTHH`.
   */
  histogram(
    environment: string,
    options: HistogramOptions,
  ): Promise<Array<{ hour: string; key: string | null; count: number }>>;
}
