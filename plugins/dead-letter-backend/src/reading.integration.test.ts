import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import * as amqp from 'amqplib';
import request from 'supertest';
import deadLetterPlugin, { decideForDeadLetters } from '.';
import { eventually, failingService, topology } from './__testUtils__/amqp';
import { httpAuthWithActorFactory } from './__testUtils__/httpAuthWithActor';
import { recordingAuditor } from './__testUtils__/recordingAuditor';
import {
  AMQP_URL,
  useBrokerAndDatabase,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { serviceComponent } from './__testUtils__/catalog';
import { deadLetterTestPolicy } from './__testUtils__/squadPolicy';

useLocalPostgresForTestDatabases();
jest.setTimeout(180_000);

const readers = {
  groups: ['group:default/platform'],
  unmaskedGroups: ['group:default/incident-commanders'],
};

/** The portal's policy (decideForDeadLetters) with the readers above. */
const portalPolicy = deadLetterTestPolicy('test-portal-policy', (p, user) =>
  decideForDeadLetters(p, user, readers),
);

/** Who is in which group. */
const members: Record<string, string[]> = {
  'user:default/mette.hansen': ['group:default/squad-mercury'],
  'user:default/gustav.berg': ['group:default/squad-gemini'],
  'user:default/pia.ops': ['group:default/platform'],
  'user:default/ida.incident': ['group:default/incident-commanders'],
};
const as = (ref: string) => ({
  Authorization: mockCredentials.user.header(ref),
});
const mette = as('user:default/mette.hansen'); // squad-mercury
const gustav = as('user:default/gustav.berg'); // squad-gemini
const pia = as('user:default/pia.ops'); // platform
const ida = as('user:default/ida.incident'); // incident commanders

const CONTENT_KEYS = ['headers', 'properties', 'body', 'bodyText'];

describe('reading dead letters: per squad, masked, audited', () => {
  const services = useBrokerAndDatabase();
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it('shows content to the owning squad masked, to reader groups, and records every view', async () => {
    if (!services.available) return;
    const knex = await databases.init('POSTGRES_15');
    const suffix = Math.random().toString(36).slice(2, 8);
    const { names, ch, cleanup, addServiceQueue } = await topology(
      services.connection,
      suffix,
    );
    const clearing = await addServiceQueue('card-clearing', 'card.cleared');
    const audit = recordingAuditor();
    /** The permission backend's user lookups: one per decision asked. */
    const lookups = new Map<string, number>();
    const running = await startTestBackend({
      features: [
        deadLetterPlugin,
        permissionBackend,
        portalPolicy,
        permissionsServiceFactory,
        httpAuthWithActorFactory,
        audit.factory,
        mockServices.userInfo.mock({
          getUserInfo: async credentials => {
            const ref = (credentials.principal as any).userEntityRef;
            lookups.set(ref, (lookups.get(ref) ?? 0) + 1);
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [ref, ...(members[ref] ?? [])],
            };
          },
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
              readers,
              masking: { jsonPaths: ['$.cpr', '$..cardNumber'] },
              environments: [
                {
                  name: 'dev',
                  amqp: { url: AMQP_URL, queue: names.dlq },
                  batchWaitMs: 20,
                  masking: { headers: ['x-api-key'] },
                  retention: { days: 7 },
                },
              ],
            },
          },
        }),
      ],
    });
    const server = running.server;
    try {
      const stopTermDeposit = await failingService(ch, names.queue);
      const stopClearing = await failingService(ch, clearing);
      // Formatting and key order that a re-serialisation would change.
      const geminiBody = Buffer.from(
        '{ "cpr": "0101901234",\n  "amount": 12.50,\n  "payer": { "cardNumber": "4111111111111111", "name": "Mette" } }',
      );
      const geminiHeaders = {
        authorization: 'Bearer customer-token',
        'X-Api-Key': 'k-123',
        'x-error': 'ctx handler: card declined',
      };
      ch.publish(names.work, 'card.cleared', geminiBody, {
        messageId: `gemini-${suffix}`,
        contentType: 'application/json',
        headers: geminiHeaders,
      });
      ch.publish(
        names.work,
        names.routingKey,
        Buffer.from('{"cpr":"0202802345"}'),
        { messageId: `mercury-${suffix}` },
      );
      const list = await eventually(async () => {
        const res = await request(server)
          .get('/api/dead-letter/dead-letters?environment=dev')
          .set(mette);
        return res.body.totalCount === 2 && res.body;
      }, 'two stored messages');
      await stopTermDeposit();
      await stopClearing();

      // Everyone sees the list, squad B's messages included, and the list
      // carries no content.
      const gemini = list.items.find((m: any) => m.squad === 'squad-gemini');
      expect(gemini).toMatchObject({
        service: 'card-clearing',
        error: 'ctx handler: card declined',
      });
      for (const item of list.items) {
        for (const key of CONTENT_KEYS) expect(item).not.toHaveProperty(key);
      }
      const url = `/api/dead-letter/dead-letters/${gemini.id}`;
      const expectedReaders = [
        'group:default/squad-gemini',
        'group:default/platform',
        'group:default/incident-commanders',
      ];

      // A member of squad A (mercury): the metadata, not the content.
      const refused = await request(server).get(url).set(mette);
      expect(refused.status).toBe(200);
      expect(refused.body).toMatchObject({
        id: gemini.id,
        service: 'card-clearing',
        error: 'ctx handler: card declined',
        content: {
          access: 'none',
          readers: expectedReaders,
          masked: [],
          bodyWithheld: false,
        },
      });
      expect(refused.body.content.reason).toMatch(
        /only members of squad-gemini/,
      );
      for (const key of CONTENT_KEYS)
        expect(refused.body).not.toHaveProperty(key);
      expect(JSON.stringify(refused.body)).not.toMatch(
        /0101901234|4111|Bearer/,
      );

      // A member of squad B (gemini) opens the message by a link: the page
      // asks for the environments first, which has the read decisions asked
      // in the background, so opening the message asks nothing more.
      expect(lookups.get('user:default/gustav.berg')).toBeUndefined();
      const environments = await request(server)
        .get('/api/dead-letter/environments')
        .set(gustav);
      expect(environments.status).toBe(200);
      await eventually(
        async () => lookups.get('user:default/gustav.berg') === 1,
        "gustav's read decisions asked",
      );
      // The content, masked.
      const squadView = await request(server).get(url).set(gustav);
      expect(lookups.get('user:default/gustav.berg')).toBe(1);
      expect(squadView.status).toBe(200);
      expect({
        ...squadView.body.content,
        masked: [...squadView.body.content.masked].sort(),
      }).toEqual({
        access: 'masked',
        reason: null,
        readers: expectedReaders,
        masked: [
          '$..cardNumber',
          '$.cpr',
          'header X-Api-Key',
          'header authorization',
        ],
        bodyWithheld: false,
      });
      expect(JSON.parse(squadView.body.bodyText)).toEqual({
        cpr: '***',
        amount: 12.5,
        payer: { cardNumber: '***', name: 'Mette' },
      });
      expect(Buffer.from(squadView.body.body, 'base64').toString('utf8')).toBe(
        squadView.body.bodyText,
      );
      expect(squadView.body.headers).toMatchObject({
        authorization: '***',
        'X-Api-Key': '***',
        'x-error': 'ctx handler: card declined',
      });
      expect(squadView.body.headers['x-death'][0].queue).toBe(clearing);
      expect(JSON.stringify(squadView.body)).not.toMatch(
        /0101901234|4111111111111111|customer-token|k-123/,
      );

      // Platform (a configured reader group): masked as well.
      const platformView = await request(server).get(url).set(pia);
      expect(platformView.body.content.access).toBe('masked');
      expect(JSON.parse(platformView.body.bodyText).cpr).toBe('***');

      // Incident commanders (configured unmasked readers): as stored.
      const incidentView = await request(server).get(url).set(ida);
      expect(incidentView.body.content).toMatchObject({
        access: 'full',
        masked: [],
      });
      expect(
        Buffer.from(incidentView.body.body, 'base64').equals(geminiBody),
      ).toBe(true);
      expect(incidentView.body.headers.authorization).toBe(
        'Bearer customer-token',
      );

      // A service (no person to hold accountable): metadata only.
      const serviceView = await request(server)
        .get(url)
        .set({ Authorization: mockCredentials.service.header() });
      expect(serviceView.body.content.access).toBe('none');
      for (const key of CONTENT_KEYS)
        expect(serviceView.body).not.toHaveProperty(key);

      // No one: refused before anything is read.
      const nobody = await request(server)
        .get(url)
        .set({ Authorization: mockCredentials.none.header() });
      expect(nobody.status).toBe(401);

      const missing = await request(server)
        .get('/api/dead-letter/dead-letters/987654321')
        .set(mette);
      expect(missing.status).toBe(404);

      // Every view is in the audit log: who, which message, which
      // environment, what was shown; refusals as failures.
      const reads = audit.events.filter(e => e.eventId === 'dead-letter-read');
      expect(
        reads.map(e => ({
          actor: e.actor,
          status: e.status,
          id: e.meta.id,
          environment: e.meta.environment,
          access: e.meta.access,
        })),
      ).toEqual([
        {
          actor: 'user:default/mette.hansen',
          status: 'failed',
          id: gemini.id,
          environment: 'dev',
          access: 'none',
        },
        {
          actor: 'user:default/gustav.berg',
          status: 'succeeded',
          id: gemini.id,
          environment: 'dev',
          access: 'masked',
        },
        {
          actor: 'user:default/pia.ops',
          status: 'succeeded',
          id: gemini.id,
          environment: 'dev',
          access: 'masked',
        },
        {
          actor: 'user:default/ida.incident',
          status: 'succeeded',
          id: gemini.id,
          environment: 'dev',
          access: 'full',
        },
        {
          actor: 'service:external:test-service',
          status: 'failed',
          id: gemini.id,
          environment: 'dev',
          access: 'none',
        },
        {
          actor: 'user:default/mette.hansen',
          status: 'failed',
          id: '987654321',
          environment: undefined,
          access: undefined,
        },
      ]);
      expect(reads[0].error).toMatch(/only members of squad-gemini/);
      expect(reads[5].error).toMatch(/no dead letter with id/);
      expect(reads.every(e => e.severityLevel === 'medium')).toBe(true);

      // Retention and the last purge (any replica's, from the database).
      const envs = async () =>
        (await request(server).get('/api/dead-letter/environments').set(mette))
          .body;
      expect((await envs())[0].retention).toEqual({
        days: 7,
        lastRunAt: null,
        lastPurged: null,
      });
      await knex('dead_letter_retention_runs').insert({
        environment: 'dev',
        days: 7,
        last_run_at: '2026-12-07T04:00:00.000Z',
        last_purged: 1234,
      });
      expect((await envs())[0]).toMatchObject({
        name: 'dev',
        state: 'consuming',
        retention: {
          days: 7,
          lastRunAt: '2026-12-07T04:00:00.000Z',
          lastPurged: 1234,
        },
      });

      // Redelivery sends the stored bytes and headers, never the masked view.
      const redeliver = await request(server)
        .post('/api/dead-letter/dead-letters/redeliver')
        .set(gustav)
        .send({ environment: 'dev', ids: [gemini.id] });
      expect(redeliver.body).toEqual({ redelivered: 1, failed: [] });
      const received = await eventually(
        async () => (await ch.get(clearing, { noAck: true })) || undefined,
        'the redelivered message on the card-clearing queue',
      );
      const msg = received as amqp.GetMessage;
      expect(msg.content.equals(geminiBody)).toBe(true);
      expect(msg.properties.headers).toMatchObject(geminiHeaders);
    } finally {
      await running.stop();
      await cleanup();
    }
  });
});
