import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import * as amqp from 'amqplib';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import request from 'supertest';
import deadLetterPlugin from '.';
import {
  AMQP_URL,
  useBrokerAndDatabase,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { serviceComponent } from './__testUtils__/catalog';
import { eventually, failingService, topology } from './__testUtils__/amqp';

useLocalPostgresForTestDatabases();
jest.setTimeout(180_000);

const user = {
  Authorization: mockCredentials.user.header('user:default/mette.hansen'),
};
const service = { Authorization: mockCredentials.service.header() };
const nobody = { Authorization: mockCredentials.none.header() };

describe('dead-letter backend on real RabbitMQ and PostgreSQL', () => {
  const services = useBrokerAndDatabase();
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  async function backend(
    knex: Knex,
    queue: string,
    permission:
      | AuthorizeResult.ALLOW
      | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  ) {
    return startTestBackend({
      features: [
        deadLetterPlugin,
        mockServices.permissions.factory({ result: permission }),
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({
          entities: [
            serviceComponent('term-deposit', 'group:default/squad-mercury'),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            deadLetter: {
              environments: [
                {
                  name: 'dev',
                  amqp: { url: AMQP_URL, queue, prefetch: 200 },
                  batchSize: 100,
                  batchWaitMs: 20,
                  logsUrlTemplate:
                    'https://logs.example/?q=service%3D{service}&from={from}&to={to}',
                },
              ],
            },
          },
        }),
      ],
    });
  }

  it('stores dead-lettered messages, redelivers and deletes them', async () => {
    if (!services.available) return;
    const suffix = Math.random().toString(36).slice(2, 8);
    const { names, ch, cleanup } = await topology(services.connection, suffix);
    const knex = await databases.init('POSTGRES_15');
    const running = await backend(knex, names.dlq);
    const server = running.server;
    try {
      const stopFailing = await failingService(ch, names.queue);
      const published = Array.from({ length: 20 }, (_, i) => ({
        id: `msg-${suffix}-${i}`,
        body: JSON.stringify({ accountId: `acc-${i}`, amount: 100 + i }),
      }));
      for (const m of published) {
        ch.publish(names.work, names.routingKey, Buffer.from(m.body), {
          messageId: m.id,
          correlationId: `corr-${m.id}`,
          contentType: 'application/json',
          headers: {
            'x-error': 'ctx handler: insufficient_funds: insufficient funds',
            'x-tenant': 'lunar-dk',
          },
        });
      }
      // Poison: binary body and no headers, straight into the dead-letter queue.
      ch.sendToQueue(names.dlq, Buffer.from([0xff, 0x00, 0xfe]), {});

      const list = await eventually(async () => {
        const res = await request(server)
          .get('/api/dead-letter/dead-letters?environment=dev&limit=500')
          .set(user);
        return res.body.totalCount === 21 && res.body;
      }, '21 stored messages');
      await stopFailing();

      const real = list.items.filter((i: any) => i.messageId);
      expect(real.map((i: any) => i.messageId).sort()).toEqual(
        published.map(p => p.id).sort(),
      );
      expect(real[0]).toMatchObject({
        environment: 'dev',
        queue: names.queue,
        exchange: names.work,
        routingKey: names.routingKey,
        service: 'term-deposit',
        squad: 'squad-mercury',
        error: 'ctx handler: insufficient_funds: insufficient funds',
        redeliveryCount: 0,
      });
      expect(real[0].logsUrl).toMatch(
        /^https:\/\/logs\.example\/\?q=service%3Dterm-deposit&from=/,
      );
      const poison = list.items.find((i: any) => !i.messageId);
      expect(poison).toMatchObject({ queue: null, service: null, bodySize: 3 });

      // Nothing left in the dead-letter queue, nothing unacked.
      expect((await ch.checkQueue(names.dlq)).messageCount).toBe(0);

      // Details: x-death written by RabbitMQ itself, the body as text.
      const detail = await request(server)
        .get(`/api/dead-letter/dead-letters/${real[0].id}`)
        .set(user);
      expect(detail.status).toBe(200);
      expect(detail.body.headers['x-death'][0]).toMatchObject({
        queue: names.queue,
        reason: 'rejected',
        exchange: names.work,
      });
      expect(JSON.parse(detail.body.bodyText)).toHaveProperty('accountId');
      const poisonDetail = await request(server)
        .get(`/api/dead-letter/dead-letters/${poison.id}`)
        .set(user);
      expect(poisonDetail.body).toMatchObject({
        bodyText: null,
        body: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'),
      });

      // Overviews.
      const squads = await request(server)
        .get('/api/dead-letter/dead-letters/squad-overview?environment=dev')
        .set(user);
      expect(squads.body).toEqual([
        { squad: 'squad-mercury', count: 20 },
        { squad: null, count: 1 },
      ]);
      const servicesRes = await request(server)
        .get(
          '/api/dead-letter/dead-letters/service-overview?environment=dev&squad=squad-mercury',
        )
        .set(user);
      expect(servicesRes.body).toMatchObject([
        { service: 'term-deposit', squad: 'squad-mercury', count: 20 },
      ]);
      const groups = await request(server)
        .get(
          '/api/dead-letter/dead-letters/error-groups?environment=dev&service=term-deposit',
        )
        .set(user);
      expect(groups.body).toMatchObject([
        {
          error: 'ctx handler: insufficient_funds: insufficient funds',
          count: 20,
        },
      ]);

      // Redeliver two: they arrive on their original queue with the same
      // body and properties plus our header, and their rows are gone.
      const [a, b] = real;
      const redeliver = await request(server)
        .post('/api/dead-letter/dead-letters/redeliver')
        .set(user)
        .send({ environment: 'dev', ids: [a.id, b.id] });
      expect(redeliver.status).toBe(200);
      expect(redeliver.body).toEqual({ redelivered: 2, failed: [] });
      const arrived: amqp.GetMessage[] = [];
      await eventually(async () => {
        const msg = await ch.get(names.queue, { noAck: true });
        if (msg) arrived.push(msg);
        return arrived.length === 2;
      }, 'two redelivered messages on the work queue');
      const byId = new Map(published.map(p => [p.id, p.body]));
      for (const msg of arrived) {
        expect([a.messageId, b.messageId]).toContain(msg.properties.messageId);
        expect(msg.content.toString()).toBe(byId.get(msg.properties.messageId));
        expect(msg.properties.contentType).toBe('application/json');
        expect(msg.properties.correlationId).toBe(
          `corr-${msg.properties.messageId}`,
        );
        expect(msg.properties.headers?.['x-tenant']).toBe('lunar-dk');
        expect(msg.properties.headers?.['x-dead-letter-redeliveries']).toBe(1);
        expect(msg.fields.routingKey).toBe(names.routingKey);
      }
      expect(
        (
          await request(server)
            .get(`/api/dead-letter/dead-letters/${a.id}`)
            .set(user)
        ).status,
      ).toBe(404);

      // Unroutable: nothing bound any more; reported per id, row kept.
      await ch.unbindQueue(names.queue, names.work, names.routingKey);
      const c = real[2];
      const unroutable = await request(server)
        .post('/api/dead-letter/dead-letters/redeliver')
        .set(user)
        .send({ environment: 'dev', ids: [c.id, '987654321'] });
      expect(unroutable.body.redelivered).toBe(0);
      expect(unroutable.body.failed).toEqual(
        expect.arrayContaining([
          { id: c.id, reason: expect.stringMatching(/unroutable/) },
          { id: '987654321', reason: expect.stringMatching(/not found/) },
        ]),
      );
      expect(
        (
          await request(server)
            .get(`/api/dead-letter/dead-letters/${c.id}`)
            .set(user)
        ).status,
      ).toBe(200);
      // The poison message has no original exchange: refused, kept.
      const poisonRedeliver = await request(server)
        .post('/api/dead-letter/dead-letters/redeliver')
        .set(user)
        .send({ environment: 'dev', ids: [poison.id] });
      expect(poisonRedeliver.body.failed).toEqual([
        {
          id: poison.id,
          reason: expect.stringMatching(/original exchange is unknown/),
        },
      ]);

      // Delete by ids, then by filter.
      const del = await request(server)
        .delete('/api/dead-letter/dead-letters')
        .set(user)
        .send({ environment: 'dev', ids: [c.id] });
      expect(del.body).toEqual({ deleted: 1 });
      const delFilter = await request(server)
        .delete('/api/dead-letter/dead-letters')
        .set(user)
        .send({ environment: 'dev', filter: { error: 'insufficient_funds' } });
      expect(delFilter.body).toEqual({ deleted: 17 });
      const left = await request(server)
        .get('/api/dead-letter/dead-letters?environment=dev')
        .set(user);
      expect(left.body.totalCount).toBe(1);

      // The environment's consumer reports its state.
      const envs = await request(server)
        .get('/api/dead-letter/environments')
        .set(user);
      expect(envs.body).toEqual([
        expect.objectContaining({
          name: 'dev',
          queue: names.dlq,
          state: 'consuming',
          stored: 21,
        }),
      ]);
    } finally {
      await running.stop();
      await cleanup();
    }
  });

  it('rejects bad input and unauthorised callers', async () => {
    if (!services.available) return;
    const knex = await databases.init('POSTGRES_15');
    const suffix = Math.random().toString(36).slice(2, 8);
    const { names, cleanup } = await topology(services.connection, suffix);
    const running = await backend(knex, names.dlq);
    const server = running.server;
    try {
      const get = (path: string, headers = user) =>
        request(server).get(`/api/dead-letter${path}`).set(headers);
      expect(
        (await get('/dead-letters?environment=nope')).body.error.message,
      ).toMatch(/unknown environment 'nope'/);
      expect((await get('/dead-letters?environment=nope')).status).toBe(400);
      expect((await get('/dead-letters')).status).toBe(400);
      expect(
        (await get('/dead-letters?environment=dev&limit=501')).status,
      ).toBe(400);
      expect(
        (await get('/dead-letters?environment=dev&from=yesterday')).body.error
          .message,
      ).toMatch(/from: must be an ISO date-time/);
      expect(
        (await get('/dead-letters?environment=dev&cursor=garbage')).status,
      ).toBe(400);
      expect((await get('/dead-letters?environment=dev&bogus=1')).status).toBe(
        400,
      );
      expect((await get('/dead-letters/123456789')).status).toBe(404);
      expect((await get('/dead-letters?environment=dev', nobody)).status).toBe(
        401,
      );
      expect((await get('/dead-letters?environment=dev', service)).status).toBe(
        200,
      );

      const send = (
        method: 'post' | 'delete',
        path: string,
        body: unknown,
        headers = user,
      ) =>
        request(server)
          [method](`/api/dead-letter${path}`)
          .set(headers)
          .send(body as object);
      expect(
        (await send('delete', '/dead-letters', { environment: 'dev' })).status,
      ).toBe(400);
      expect(
        (
          await send('delete', '/dead-letters', {
            environment: 'dev',
            ids: ['x'],
          })
        ).status,
      ).toBe(400);
      expect(
        (await send('delete', '/dead-letters', { environment: 'dev', ids: [] }))
          .status,
      ).toBe(400);
      expect(
        (
          await send('post', '/dead-letters/redeliver', {
            environment: 'dev',
            ids: ['1'],
            filter: {},
          })
        ).status,
      ).toBe(400);
      // Destructive actions need a person, not a service and not nobody.
      expect(
        (
          await send(
            'delete',
            '/dead-letters',
            { environment: 'dev', ids: ['1'] },
            service,
          )
        ).status,
      ).toBe(403);
      expect(
        (
          await send(
            'delete',
            '/dead-letters',
            { environment: 'dev', ids: ['1'] },
            nobody,
          )
        ).status,
      ).toBe(401);
      expect(
        (
          await send(
            'post',
            '/dead-letters/redeliver',
            { environment: 'dev', ids: ['1'] },
            service,
          )
        ).status,
      ).toBe(403);
      expect(
        (
          await send('delete', '/dead-letters', {
            environment: 'dev',
            ids: ['1'],
          })
        ).status,
      ).toBe(200);
    } finally {
      await running.stop();
      await cleanup();
    }
  });

  it('refuses delete and redeliver to a user without the permissions', async () => {
    if (!services.available) return;
    const knex = await databases.init('POSTGRES_15');
    const suffix = Math.random().toString(36).slice(2, 8);
    const { names, ch, cleanup } = await topology(services.connection, suffix);
    const running = await backend(knex, names.dlq, AuthorizeResult.DENY);
    const server = running.server;
    try {
      ch.sendToQueue(names.dlq, Buffer.from('{}'), {
        messageId: `deny-${suffix}`,
      });
      const list = await eventually(async () => {
        const res = await request(server)
          .get('/api/dead-letter/dead-letters?environment=dev')
          .set(user);
        return res.body.totalCount === 1 && res.body;
      }, 'one stored message');
      const id = list.items[0].id;
      const del = await request(server)
        .delete('/api/dead-letter/dead-letters')
        .set(user)
        .send({ environment: 'dev', ids: [id] });
      expect(del.status).toBe(403);
      expect(del.body.error.message).toMatch(/dead-letter\.message\.delete/);
      const redeliver = await request(server)
        .post('/api/dead-letter/dead-letters/redeliver')
        .set(user)
        .send({ environment: 'dev', ids: [id] });
      expect(redeliver.status).toBe(403);
      expect(redeliver.body.error.message).toMatch(
        /dead-letter\.message\.redeliver/,
      );
      // Reads are still allowed, and the message is still there.
      expect(
        (
          await request(server)
            .get(`/api/dead-letter/dead-letters/${id}`)
            .set(user)
        ).status,
      ).toBe(200);
    } finally {
      await running.stop();
      await cleanup();
    }
  });
});
