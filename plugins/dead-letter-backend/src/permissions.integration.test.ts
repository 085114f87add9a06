import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { deadLetterMessageDeletePermission } from '@internal/plugin-dead-letter-common';
import { Knex } from 'knex';
import request from 'supertest';
import deadLetterPlugin from '.';
import { eventually, failingService, topology } from './__testUtils__/amqp';
import { httpAuthWithActorFactory } from './__testUtils__/httpAuthWithActor';
import { newDeadLetter } from './__testUtils__/rows';
import { DatabaseDeadLetterStore } from './database/DatabaseDeadLetterStore';
import {
  AMQP_URL,
  useBrokerAndDatabase,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { serviceComponent } from './__testUtils__/catalog';
import { squadPolicy } from './__testUtils__/squadPolicy';

useLocalPostgresForTestDatabases();
jest.setTimeout(180_000);

// Mette is in squad-mercury, which owns term-deposit; squad-gemini owns
// card-clearing.
const mette = {
  Authorization: mockCredentials.user.header('user:default/mette.hansen'),
};

describe('dead-letter permissions, per owning squad', () => {
  const services = useBrokerAndDatabase();
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  function backend(knex: Knex, queue: string) {
    return startTestBackend({
      features: [
        deadLetterPlugin,
        permissionBackend,
        squadPolicy,
        permissionsServiceFactory,
        httpAuthWithActorFactory,
        mockServices.userInfo.mock({
          getUserInfo: async () => ({
            userEntityRef: 'user:default/mette.hansen',
            ownershipEntityRefs: [
              'user:default/mette.hansen',
              'group:default/squad-mercury',
            ],
          }),
        }).factory,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({
          entities: [
            serviceComponent('term-deposit', 'group:default/squad-mercury'),
            serviceComponent('card-clearing', 'squad-gemini'),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            deadLetter: {
              environments: [
                {
                  name: 'dev',
                  amqp: { url: AMQP_URL, queue },
                  batchWaitMs: 20,
                },
              ],
            },
          },
        }),
      ],
    });
  }

  it('lets a squad member act on her squad’s messages only', async () => {
    if (!services.available) return;
    const knex = await databases.init('POSTGRES_15');
    const suffix = Math.random().toString(36).slice(2, 8);
    const { names, ch, cleanup, addServiceQueue } = await topology(
      services.connection,
      suffix,
    );
    const clearing = await addServiceQueue('card-clearing', 'card.cleared');
    const running = await backend(knex, names.dlq);
    const server = running.server;
    try {
      const stopTermDeposit = await failingService(ch, names.queue);
      const stopClearing = await failingService(ch, clearing);
      for (let i = 0; i < 3; i++) {
        ch.publish(names.work, names.routingKey, Buffer.from(`{"i":${i}}`), {
          messageId: `mercury-${i}`,
        });
      }
      for (let i = 0; i < 2; i++) {
        ch.publish(names.work, 'card.cleared', Buffer.from(`{"i":${i}}`), {
          messageId: `gemini-${i}`,
        });
      }
      const list = await eventually(async () => {
        const res = await request(server)
          .get('/api/dead-letter/dead-letters?environment=dev')
          .set(mette);
        return res.body.totalCount === 5 && res.body;
      }, 'five stored messages');
      await stopTermDeposit();
      await stopClearing();
      const ids = (squad: string) =>
        list.items
          .filter((m: any) => m.squad === squad)
          .map((m: any) => m.id as string);
      const mercury = ids('squad-mercury');
      const gemini = ids('squad-gemini');
      expect([mercury.length, gemini.length]).toEqual([3, 2]);

      // What the UI asks to enable its buttons: a decision per message.
      // The permission backend sends the policy's condition to this plugin,
      // which loads the messages and applies its rules.
      const decide = (resourceRef: string) => ({
        id: resourceRef,
        permission: deadLetterMessageDeletePermission,
        resourceRef,
      });
      const authorize = await request(server)
        .post('/api/permission/authorize')
        .set(mette)
        .send({
          items: [decide(mercury[0]), decide(gemini[0]), decide('987654321')],
        });
      expect(authorize.status).toBe(200);
      expect(authorize.body.items).toEqual([
        { id: mercury[0], result: AuthorizeResult.ALLOW },
        { id: gemini[0], result: AuthorizeResult.DENY },
        { id: '987654321', result: AuthorizeResult.DENY },
      ]);

      // A selection that reaches into another squad is refused whole.
      const mixed = await request(server)
        .delete('/api/dead-letter/dead-letters')
        .set(mette)
        .send({ environment: 'dev', ids: [mercury[0], gemini[0]] });
      expect(mixed.status).toBe(403);
      expect(mixed.body.error.message).toMatch(
        /1 of the 2 selected messages are outside/,
      );
      const everything = await request(server)
        .post('/api/dead-letter/dead-letters/redeliver')
        .set(mette)
        .send({ environment: 'dev', filter: {} });
      expect(everything.status).toBe(403);
      expect(everything.body.error.message).toMatch(/2 of the 5 selected/);
      const theirs = await request(server)
        .post('/api/dead-letter/dead-letters/redeliver')
        .set(mette)
        .send({ environment: 'dev', ids: [gemini[1]] });
      expect(theirs.status).toBe(403);
      expect(
        (
          await request(server)
            .get('/api/dead-letter/dead-letters?environment=dev')
            .set(mette)
        ).body.totalCount,
      ).toBe(5);

      // Her own squad's messages: deleted, and redelivered to their queue.
      const del = await request(server)
        .delete('/api/dead-letter/dead-letters')
        .set(mette)
        .send({ environment: 'dev', ids: [mercury[0]] });
      expect(del.status).toBe(200);
      expect(del.body).toEqual({ deleted: 1 });
      const redeliver = await request(server)
        .post('/api/dead-letter/dead-letters/redeliver')
        .set(mette)
        .send({ environment: 'dev', filter: { service: 'term-deposit' } });
      expect(redeliver.status).toBe(200);
      expect(redeliver.body).toEqual({ redelivered: 2, failed: [] });
      await eventually(
        async () => (await ch.checkQueue(names.queue)).messageCount === 2,
        'two redelivered messages on the term-deposit queue',
      );
      const left = await request(server)
        .get('/api/dead-letter/dead-letters?environment=dev')
        .set(mette);
      expect(left.body.items.map((m: any) => m.squad)).toEqual([
        'squad-gemini',
        'squad-gemini',
      ]);
      // Deleted and redelivered messages are archived, with who and why.
      const archive = await request(server)
        .get('/api/dead-letter/archive?environment=dev')
        .set(mette);
      expect(
        archive.body.items
          .map((m: any) => [m.archiveReason, m.archivedBy, m.squad])
          .sort(),
      ).toEqual([
        ['deleted', 'user:default/mette.hansen', 'squad-mercury'],
        ['redelivered', 'user:default/mette.hansen', 'squad-mercury'],
        ['redelivered', 'user:default/mette.hansen', 'squad-mercury'],
      ]);
    } finally {
      await running.stop();
      await cleanup();
    }
  });
  it('decides on a message stored before the catalog knew its owner by the owner the catalog names now', async () => {
    if (!services.available) return;
    const knex = await databases.init('POSTGRES_15');
    const queue = `lunar-test-late-owner-${Math.random()
      .toString(36)
      .slice(2, 8)}`;
    const running = await backend(knex, queue);
    try {
      // Stored while the catalog did not have term-deposit yet: no squad.
      const store = await DatabaseDeadLetterStore.create({
        database: mockServices.database({ knex, migrations: { skip: true } }),
      });
      await store.insertBatch([
        newDeadLetter({ squad: null }),
        newDeadLetter({ squad: null }),
        newDeadLetter({ squad: null, service: 'card-clearing' }),
      ]);
      const rows = await knex('dead_letters').select('id', 'service');
      const id = (service: string) =>
        String(rows.find(r => r.service === service)!.id);

      const authorize = await request(running.server)
        .post('/api/permission/authorize')
        .set(mette)
        .send({
          items: [id('term-deposit'), id('card-clearing')].map(ref => ({
            id: ref,
            permission: deadLetterMessageDeletePermission,
            resourceRef: ref,
          })),
        });
      expect(authorize.body.items.map((i: any) => i.result)).toEqual([
        AuthorizeResult.ALLOW,
        AuthorizeResult.DENY,
      ]);
      // Stored for every message of the service, so selections by filter
      // (decided in SQL) see it too.
      const squads = await knex('dead_letters')
        .select('service', 'squad')
        .orderBy('id');
      expect(squads).toEqual([
        { service: 'term-deposit', squad: 'squad-mercury' },
        { service: 'term-deposit', squad: 'squad-mercury' },
        { service: 'card-clearing', squad: 'squad-gemini' },
      ]);
      const del = await request(running.server)
        .delete('/api/dead-letter/dead-letters')
        .set(mette)
        .send({ environment: 'dev', filter: { service: 'term-deposit' } });
      expect(del.body).toEqual({ deleted: 2 });
    } finally {
      await running.stop();
    }
  });
});
