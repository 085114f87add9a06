import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import request from 'supertest';
import deadLetterPlugin from '.';
import { DatabaseDeadLetterStore } from './database/DatabaseDeadLetterStore';
import { httpAuthWithActorFactory } from './__testUtils__/httpAuthWithActor';
import { recordingAuditor } from './__testUtils__/recordingAuditor';
import { newDeadLetter } from './__testUtils__/rows';
import {
  AMQP_URL,
  useBrokerAndDatabase,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { squadPolicy } from './__testUtils__/squadPolicy';

useLocalPostgresForTestDatabases();
jest.setTimeout(120_000);

const members: Record<string, string[]> = {
  'user:default/mette.hansen': ['group:default/squad-mercury'],
  'user:default/gustav.berg': ['group:default/squad-gemini'],
};
const as = (ref: string) => ({
  Authorization: mockCredentials.user.header(ref),
});
const mette = as('user:default/mette.hansen'); // squad-mercury
const gustav = as('user:default/gustav.berg'); // squad-gemini

describe('deleting is archiving, restoring undoes it', () => {
  const services = useBrokerAndDatabase();
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('archives deletes, lists them without content, restores them identical, per squad and audited', async () => {
    if (!services.available) return;
    const knex = await databases.init('POSTGRES_15');
    const store = await DatabaseDeadLetterStore.create({
      database: mockServices.database({ knex }),
    });
    // Every byte value, and headers and properties a re-encoding would lose.
    const body = Buffer.from([...Array(256).keys()].reverse());
    await store.insertBatch([
      newDeadLetter({
        messageId: 'mercury-special',
        body,
        bodySize: body.length,
        headers: {
          'x-death': [{ count: 3, reason: 'rejected', 'routing-keys': ['a'] }],
          token: { $base64: '3q2+7w==' },
          'x-error': 'ctx handler: insufficient_funds: insufficient funds',
        },
        properties: {
          messageId: 'mercury-special',
          contentType: 'application/octet-stream',
          priority: 0,
          timestamp: 1764000000,
        },
      }),
      newDeadLetter({ messageId: 'mercury-plain' }),
      newDeadLetter({
        messageId: 'gemini',
        service: 'card-clearing',
        squad: 'squad-gemini',
      }),
    ]);
    const audit = recordingAuditor();
    const queue = `lunar-test-archive-${Math.random()
      .toString(36)
      .slice(2, 8)}`;
    const running = await startTestBackend({
      features: [
        deadLetterPlugin,
        permissionBackend,
        squadPolicy,
        permissionsServiceFactory,
        httpAuthWithActorFactory,
        audit.factory,
        mockServices.userInfo.mock({
          getUserInfo: async credentials => {
            const ref = (credentials.principal as any).userEntityRef;
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [ref, ...(members[ref] ?? [])],
            };
          },
        }).factory,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            deadLetter: {
              environments: [
                {
                  name: 'dev',
                  amqp: { url: AMQP_URL, queue, prefetch: 10 },
                  archive: { retentionDays: 5 },
                },
              ],
            },
          },
        }),
      ],
    });
    const server = running.server;
    try {
      const list = await request(server)
        .get('/api/dead-letter/dead-letters?environment=dev')
        .set(mette);
      const idOf = (messageId: string) =>
        list.body.items.find((m: any) => m.messageId === messageId).id;
      const special = idOf('mercury-special');
      const plain = idOf('mercury-plain');
      const gemini = idOf('gemini');
      const before = await request(server)
        .get(`/api/dead-letter/dead-letters/${special}`)
        .set(mette);
      expect(before.body.content.access).toBe('full');
      const rawBefore = await knex('dead_letters')
        .where('id', Number(special))
        .first();

      // Mette deletes her squad's messages; the response is unchanged.
      const del = await request(server)
        .delete('/api/dead-letter/dead-letters')
        .set(mette)
        .send({ environment: 'dev', ids: [special, plain] });
      expect(del.status).toBe(200);
      expect(del.body).toEqual({ deleted: 2 });
      // Not another squad's.
      const theirs = await request(server)
        .delete('/api/dead-letter/dead-letters')
        .set(mette)
        .send({ environment: 'dev', ids: [gemini] });
      expect(theirs.status).toBe(403);
      const gustavDeletes = await request(server)
        .delete('/api/dead-letter/dead-letters')
        .set(gustav)
        .send({ environment: 'dev', filter: { squad: 'squad-gemini' } });
      expect(gustavDeletes.body).toEqual({ deleted: 1 });
      expect(
        (
          await request(server)
            .get('/api/dead-letter/dead-letters?environment=dev')
            .set(mette)
        ).body.totalCount,
      ).toBe(0);

      // The archive: metadata for anyone signed in (a service too), no content.
      const archive = await request(server)
        .get('/api/dead-letter/archive?environment=dev&limit=2')
        .set({ Authorization: mockCredentials.service.header() });
      expect(archive.status).toBe(200);
      expect(archive.body.totalCount).toBe(3);
      expect(archive.body.items).toHaveLength(2);
      const next = await request(server)
        .get(
          `/api/dead-letter/archive?environment=dev&limit=2&cursor=${archive.body.nextCursor}`,
        )
        .set(mette);
      const items = [...archive.body.items, ...next.body.items];
      const archived = items.find((i: any) => i.id === special);
      expect(archived).toMatchObject({
        messageId: 'mercury-special',
        squad: 'squad-mercury',
        archiveReason: 'deleted',
        archivedBy: 'user:default/mette.hansen',
      });
      for (const key of ['headers', 'properties', 'body', 'bodyText'])
        expect(archived).not.toHaveProperty(key);
      expect(
        Date.parse(archived.expiresAt) - Date.parse(archived.archivedAt),
      ).toBe(5 * 24 * 3600 * 1000);
      expect(items.find((i: any) => i.id === gemini).archivedBy).toBe(
        'user:default/gustav.berg',
      );
      const unauthenticated = await request(server)
        .get('/api/dead-letter/archive?environment=dev')
        .set({ Authorization: mockCredentials.none.header() });
      expect(unauthenticated.status).toBe(401);

      // Restoring needs the delete permission for the archived message.
      const refused = await request(server)
        .post('/api/dead-letter/archive/restore')
        .set(mette)
        .send({ environment: 'dev', ids: [special, gemini] });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(
        /1 of the 2 selected messages are outside/,
      );
      const asService = await request(server)
        .post('/api/dead-letter/archive/restore')
        .set({ Authorization: mockCredentials.service.header() })
        .send({ environment: 'dev', ids: [special] });
      expect(asService.status).toBe(403);

      const restore = await request(server)
        .post('/api/dead-letter/archive/restore')
        .set(mette)
        .send({ environment: 'dev', ids: [special, '987654321'] });
      expect(restore.status).toBe(200);
      expect(restore.body).toEqual({
        restored: [special],
        skipped: [{ id: '987654321', reason: 'not-archived' }],
      });
      // The same message: same id, bytes, headers and properties.
      const after = await request(server)
        .get(`/api/dead-letter/dead-letters/${special}`)
        .set(mette);
      expect(after.status).toBe(200);
      expect(after.body).toEqual(before.body);
      expect(Buffer.from(after.body.body, 'base64').equals(body)).toBe(true);
      expect(
        await knex('dead_letters').where('id', Number(special)).first(),
      ).toEqual(rawBefore);
      // Idempotent.
      const again = await request(server)
        .post('/api/dead-letter/archive/restore')
        .set(mette)
        .send({ environment: 'dev', ids: [special] });
      expect(again.body).toEqual({
        restored: [],
        skipped: [{ id: special, reason: 'already-present' }],
      });
      expect(
        (
          await request(server)
            .get('/api/dead-letter/dead-letters?environment=dev')
            .set(mette)
        ).body.items.map((m: any) => m.id),
      ).toEqual([special]);
      expect(
        (
          await request(server)
            .get('/api/dead-letter/archive?environment=dev')
            .set(mette)
        ).body.items
          .map((m: any) => m.id)
          .sort(),
      ).toEqual([plain, gemini].sort());

      // Audited: who, what, the outcome; refusals as failures.
      const events = audit.events.filter(e =>
        ['dead-letter-delete', 'dead-letter-restore'].includes(e.eventId),
      );
      expect(events.map(e => [e.eventId, e.actor, e.status])).toEqual([
        ['dead-letter-delete', 'user:default/mette.hansen', 'succeeded'],
        ['dead-letter-delete', 'user:default/mette.hansen', 'failed'],
        ['dead-letter-delete', 'user:default/gustav.berg', 'succeeded'],
        ['dead-letter-restore', 'user:default/mette.hansen', 'failed'],
        ['dead-letter-restore', expect.stringMatching(/^service:/), 'failed'],
        ['dead-letter-restore', 'user:default/mette.hansen', 'succeeded'],
        ['dead-letter-restore', 'user:default/mette.hansen', 'succeeded'],
      ]);
      expect(events[0].meta).toMatchObject({
        environment: 'dev',
        ids: [special, plain],
        deleted: 2,
      });
      expect(events[5].meta).toMatchObject({
        environment: 'dev',
        ids: [special, '987654321'],
        restored: [special],
      });
      expect(events[3].error).toMatch(/outside what your permissions allow/);
    } finally {
      await running.stop();
    }
  });
});
