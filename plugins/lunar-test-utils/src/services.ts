/* eslint-disable no-console */
import net from 'node:net';

/**
 * The real PostgreSQL and RabbitMQ on this machine, for tests. In CI they
 * are required: a test that needs one fails when it is unreachable.
 * Locally such tests are skipped, loudly.
 */
export const POSTGRES_URL =
  process.env.LUNAR_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
/** The local RabbitMQ (see {@link POSTGRES_URL}). */
export const AMQP_URL =
  process.env.LUNAR_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

const isCi = () => !!process.env.CI && process.env.CI !== 'false';

function reachable(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function required(name: string, port: number): Promise<boolean> {
  if (await reachable(port)) return true;
  if (isCi()) {
    throw new Error(
      `${name} is required in CI and is not reachable on 127.0.0.1:${port}`,
    );
  }
  console.warn(
    `\n!!! ${name} is not reachable on 127.0.0.1:${port}: SKIPPING the tests that need it !!!\n`,
  );
  return false;
}

/** True when PostgreSQL is up; throws in CI when it is not. */
export const requirePostgres = () => required('PostgreSQL', 5432);
/** True when RabbitMQ is up; throws in CI when it is not. */
export const requireRabbitMq = () => required('RabbitMQ', 5672);

/** Points Backstage's TestDatabases at the local PostgreSQL 15. */
export function useLocalPostgresForTestDatabases() {
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
    POSTGRES_URL;
}
