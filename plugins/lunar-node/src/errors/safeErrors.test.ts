import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  requirePostgres,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import express from 'express';
import Router from 'express-promise-router';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { createSafeErrorMiddleware } from './safeErrors';
import { containsUnsafeDetail } from './unsafeText';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

/** A plugin router with the middleware, behind Backstage's error handler. */
function app(routes: (router: express.Router) => void) {
  const logger = mockServices.logger.mock();
  const router = Router();
  routes(router);
  router.use(createSafeErrorMiddleware({ logger }));
  const root = express();
  root.use(router);
  root.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error({ showStackTraces: true }),
  );
  return { app: root, logger };
}

describe('createSafeErrorMiddleware', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
  let available = false;
  let db: Knex;
  beforeAll(async () => {
    available = await requirePostgres();
    if (available) db = await databases.init('POSTGRES_15');
  });

  it('answers a refused database connection with 503, Retry-After and no internals', async () => {
    const unreachable = knexFactory({
      client: 'pg',
      connection: 'postgresql://backstage:s3cret@127.0.0.1:1/backstage',
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 5000,
    });
    const { app: server, logger } = app(r =>
      r.get('/x', async (_req, res) => {
        res.json(await unreachable('dead_letters').select('id'));
      }),
    );
    try {
      const res = await request(server).get('/x');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.error.name).toBe('ServiceUnavailableError');
      expect(res.body.error.message).toMatch(/database is unavailable/);
      expect(containsUnsafeDetail(res.text)).toBe(false);
      expect(res.text).not.toMatch(/s3cret|dead_letters|127\.0\.0\.1:1/);
      expect(logger.warn).toHaveBeenCalled();
    } finally {
      await unreachable.destroy();
    }
  });

  it('answers a failing statement with 500, a reference and no SQL; the log has both', async () => {
    if (!available) return;
    const { app: server, logger } = app(r =>
      r.get('/x', async (_req, res) => {
        res.json(await db('no_such_table').select('secret_column'));
      }),
    );
    const res = await request(server).get('/x');
    expect(res.status).toBe(500);
    const reference = /reference ([0-9a-f]{12})/.exec(res.body.error.message);
    expect(reference).not.toBeNull();
    expect(res.text).not.toMatch(/no_such_table|secret_column|select/i);
    expect(res.body.error.stack).toBeUndefined();
    expect(res.body.error.cause).toBeUndefined();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining(reference![1]),
      expect.objectContaining({
        message: expect.stringContaining('no_such_table'),
      }),
    );
  });

  it('keeps the reason of errors meant for the caller, without their cause', async () => {
    const cause = new Error('select * from "users" - boom');
    const { app: server } = app(r => {
      r.get('/input', async () => {
        throw new InputError('limit must be a number', cause);
      });
      r.get('/leaky', async () => {
        throw new InputError('select "secret" from "users" failed');
      });
      r.get('/missing', async () => {
        throw new NotFoundError('no dead letter with id 7');
      });
      r.post('/json', express.json(), async (_req, res) => {
        res.json({});
      });
    });
    const input = await request(server).get('/input');
    expect(input.status).toBe(400);
    expect(input.body.error).toMatchObject({
      name: 'InputError',
      message: 'limit must be a number',
    });
    expect(input.text).not.toMatch(/users/);
    const leaky = await request(server).get('/leaky');
    expect(leaky.status).toBe(400);
    expect(leaky.body.error.message).toBe('The request could not be processed');
    const missing = await request(server).get('/missing');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('no dead letter with id 7');
    const json = await request(server)
      .post('/json')
      .set('content-type', 'application/json')
      .send('{"a":');
    expect(json.status).toBe(400);
    expect(json.body.error.message).toBeTruthy();
  });

  it('hides what a non-Error throw carries', async () => {
    const { app: server } = app(r =>
      r.get('/x', async () => {
        // eslint-disable-next-line no-throw-literal
        throw 'postgresql://u:p@h/db';
      }),
    );
    const res = await request(server).get('/x');
    expect(res.status).toBe(500);
    expect(res.text).not.toMatch(/postgresql|u:p/);
  });
});
