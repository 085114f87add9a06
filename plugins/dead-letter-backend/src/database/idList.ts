import { Knex } from 'knex';

/**
 * Restricts `query` to rows whose `column` is one of `ids` (bigint ids).
 * On PostgreSQL the list is one array parameter (`= any(?)`), parsed and
 * planned alike however long it is; `whereIn` would send one parameter per
 * id, which the database parses and knex numbers one by one, and which
 * caps a statement at 65,535 of them. SQLite (at most 999 parameters per
 * statement) keeps `whereIn`: callers send it lists of ID_LIST_CHUNK.
 */
export function whereIdIn(
  query: Knex.QueryBuilder,
  column: string,
  ids: Array<string | number>,
  isPostgres: boolean,
): Knex.QueryBuilder {
  const numbers = ids.map(Number);
  return isPostgres
    ? query.whereRaw('?? = any(?::bigint[])', [column, numbers])
    : query.whereIn(column, numbers);
}

/** The longest id list one statement takes (see whereIdIn). */
export function idListChunk(isPostgres: boolean): number {
  return isPostgres ? 10_000 : 500;
}
