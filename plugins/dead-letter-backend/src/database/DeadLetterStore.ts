import { DeadLetterFilter } from '@internal/plugin-dead-letter-common';
import { NewDeadLetter } from '../consumer/decode';

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

/** Which rows an action applies to, within one environment. */
export type Selection = { ids: string[] } | { filter: DeadLetterFilter };

/** Persistence of dead-lettered messages. */
export interface DeadLetterStore {
  /** Stores a batch in one transaction; rows already stored are skipped. Returns how many were new. */
  insertBatch(rows: NewDeadLetter[]): Promise<number>;
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
  delete(environment: string, selection: Selection): Promise<number>;
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
   * Runs `work` on the selected rows, batch by batch, each batch locked
   * against other replicas (rows another replica holds are skipped), and
   * deletes the ids `work` returns, in the same transaction.
   */
  processLocked(
    environment: string,
    selection: Selection,
    batchSize: number,
    work: (rows: StoredDeadLetterDetail[]) => Promise<string[]>,
  ): Promise<{ seen: number }>;
}
