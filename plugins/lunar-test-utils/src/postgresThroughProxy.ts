import knexFactory, { Knex } from 'knex';
import { TcpProxy } from './TcpProxy';

/**
 * A knex client to the same test database as `direct`, reaching the local
 * PostgreSQL only through a {@link TcpProxy} the test can cut and restore.
 * Also returns the database's name. The caller destroys the client and
 * cuts the proxy when done.
 */
export async function postgresThroughProxy(
  direct: Knex,
  options: {
    /** A password the answers must never show (the server trusts anyway). */
    password?: string;
    pool: Knex.PoolConfig;
    acquireConnectionTimeout: number;
  },
): Promise<{ proxy: TcpProxy; knex: Knex; database: string }> {
  const { database } = direct.client.config.connection as {
    database: string;
  };
  const proxy = new TcpProxy({ host: '127.0.0.1', port: 5432 });
  await proxy.start();
  const knex = knexFactory({
    client: 'pg',
    connection: {
      host: '127.0.0.1',
      port: proxy.port,
      user: 'postgres',
      ...(options.password ? { password: options.password } : {}),
      database,
    },
    pool: options.pool,
    acquireConnectionTimeout: options.acquireConnectionTimeout,
  });
  return { proxy, knex, database };
}
