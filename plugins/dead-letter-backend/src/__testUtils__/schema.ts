import { Knex } from 'knex';

/** Whether the database has an index of this name (PostgreSQL or SQLite). */
export async function hasIndex(knex: Knex, name: string): Promise<boolean> {
  const rows =
    knex.client.config.client === 'pg'
      ? await knex('pg_indexes').where('indexname', name).select('indexname')
      : await knex('sqlite_master')
          .where({ type: 'index', name })
          .select('name');
  return rows.length > 0;
}
