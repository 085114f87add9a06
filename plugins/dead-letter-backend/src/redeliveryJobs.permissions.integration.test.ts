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
import { newDeadLetter } from './__testUtils__/rows';
import {
  AMQP_URL,
  useBrokerAndDatabase,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
import { squadPolicy } from './__testUtils__/squadPolicy';

useLocalPostgresForTestDatabases();
jest.setTimeout(60_000);

const squadOf: Record<string, string> = {
  'user:default/mette.hansen': 'group:default/squad-mercury',
  'user:default/gustav.berg': 'group:default/squad-gemini',
};
const as = (ref: string) => ({
  Authorization: mockCredentials.user.header(ref),
});
const mette = as('user:default/mette.hansen');
const gustav = as('user:default/gustav.berg');

describe('redelivery jobs, per owning squad', () => {
  const services = useBrokerAndDatabase();
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it("lets only the job's squads pause, resume and cancel it", async () => {
    if (!services.available) return;
    const knex = await databases.init('POSTGRES_15');
    const store = await DatabaseDeadLetterStore.create({
      database: mockServices.database({ knex }),
    });
    await store.insertBatch(
      Array.from({ length: 20 }, () =>
        newDeadLetter({
          environment: 'dev',
          service: 'card-clearing',
          squad: 'squad-gemini',
        }),
      ),
    );
    const backend = await startTestBackend({
      features: [
        deadLetterPlugin,
        permissionBackend,
        squadPolicy,
        permissionsServiceFactory,
        httpAuthWithActorFactory,
        mockServices.userInfo.mock({
          getUserInfo: async credentials => {
            const ref = (credentials.principal as { userEntityRef: string })
              .userEntityRef;
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [ref, squadOf[ref]],
            };
          },
        }).factory,
        mockServices.database.factory({ knex }),
        mockServices.rootLogger.factory({ level: 'error' }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            deadLetter: {
              environments: [
                {
                  name: 'dev',
                  amqp: {
                    url: AMQP_URL,
                    queue: `lunar-test-jobperm-${Math.random()
                      .toString(36)
                      .slice(2, 8)}`,
                  },
                },
              ],
            },
          },
        }),
      ],
    });
    const server = backend.server;
    const post = (path: string, who: object, body?: object) =>
      request(server)
        .post(`/api/dead-letter${path}`)
        .set(who as Record<string, string>)
        .send(body);
    try {
      // Mette (squad-mercury) may not start a job over gemini's messages.
      const refused = await post('/redeliveries', mette, {
        environment: 'dev',
        filter: {},
        rate: 1,
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/20 of the 20 selected/);

      // A dry run says what a job would do, and stores nothing.
      const preview = await post('/redeliveries', gustav, {
        environment: 'dev',
        filter: {},
        rate: 10,
        ramp: [{ rate: 1, seconds: 5 }],
        dryRun: true,
      });
      expect(preview.status).toBe(200);
      expect(preview.body).toMatchObject({
        dryRun: true,
        previewToken: expect.any(String),
        environment: 'dev',
        total: 20,
        squads: ['squad-gemini'],
        rate: 10,
        ramp: [{ rate: 1, seconds: 5 }],
        etaSeconds: 6.5,
        breakdown: {
          byService: { items: [{ service: 'card-clearing', count: 20 }] },
        },
        // The rows' exchange was never declared on this broker.
        warnings: [
          {
            code: 'exchange-missing',
            exchange: 'bankaccount',
            count: 20,
          },
        ],
        checked: { targets: true, bindings: false },
      });
      expect(preview.body.samples).toHaveLength(5);
      expect(preview.body.samples[0]).not.toHaveProperty('body');
      expect(
        (
          await request(server)
            .get('/api/dead-letter/redeliveries?environment=dev')
            .set(gustav)
        ).body.items,
      ).toEqual([]);

      // Mette may not use Gustav's preview (nor redeliver gemini's).
      const { previewToken } = preview.body;
      const foreign = await post('/redeliveries', mette, {
        environment: 'dev',
        filter: {},
        previewToken,
      });
      expect(foreign.status).toBe(403);
      // A forged token creates nothing.
      const forged = await post('/redeliveries', gustav, {
        environment: 'dev',
        filter: {},
        previewToken: 'forged',
      });
      expect(forged.status).toBe(400);
      expect(forged.body.error.message).toMatch(/unknown previewToken/);

      // One more message comes in after the preview: a job with the token
      // takes exactly the 20 previewed, and says it left one alone.
      await store.insertBatch([
        newDeadLetter({
          environment: 'dev',
          service: 'card-clearing',
          squad: 'squad-gemini',
        }),
      ]);
      // Gustav (squad-gemini) may; slowly, so it is still running below.
      const created = await post('/redeliveries', gustav, {
        environment: 'dev',
        filter: {},
        rate: 1,
        previewToken,
      });
      expect(created.status).toBe(202);
      expect(created.body.progress).toMatchObject({
        total: 20,
        previewed: 20,
        arrivedAfterPreview: 1,
        goneSincePreview: 0,
      });
      expect(created.body.squads).toEqual(['squad-gemini']);
      expect(created.body.services).toEqual(['card-clearing']);
      // A token is used once.
      const reused = await post('/redeliveries', gustav, {
        environment: 'dev',
        filter: {},
        previewToken,
      });
      expect(reused.status).toBe(400);
      const id = created.body.id;

      for (const action of ['pause', 'cancel']) {
        const res = await post(`/redeliveries/${id}/${action}`, mette);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toMatch(
          new RegExp(
            `not allowed to ${action} redelivery job ${id} .*squad-gemini`,
          ),
        );
      }
      expect((await post(`/redeliveries/${id}/pause`, gustav)).status).toBe(
        200,
      );
      expect((await post(`/redeliveries/${id}/resume`, mette)).status).toBe(
        403,
      );
      const cancelled = await post(`/redeliveries/${id}/cancel`, gustav);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.state).toBe('cancelled');
      // A service token is no person: refused too.
      const service = await post(`/redeliveries/${id}/cancel`, {
        Authorization: mockCredentials.service.header(),
      });
      expect(service.status).toBe(403);
    } finally {
      await backend.stop();
    }
  });
});
