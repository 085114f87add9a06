import { resolve } from 'node:path';
import {
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import request from 'supertest';
import catalogModuleShuttle from '.';

const repoRoot = resolve(__dirname, '../../..');

/**
 * A backend with the catalog and this module ingests the example
 * repositories from a file glob, as the quick start does.
 */
describe('catalog module shuttle', () => {
  jest.setTimeout(120_000);

  it('ingests the example repositories with owners, systems, resources and APIs', async () => {
    // Tasks run when the test says so: the shared-entities refresh is
    // triggered once the components are in the catalog.
    // (mockServices.scheduler() returns a MockSchedulerService, typed as
    // SchedulerService; its factory installs that same instance.)
    const scheduler = mockServices.scheduler() as SchedulerService & {
      factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory;
    };
    const { server } = await startTestBackend({
      features: [
        scheduler.factory({ skipTaskRunOnStartup: true }),
        catalogBackend,
        catalogModuleShuttle,
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'Domain',
                    'API',
                    'Resource',
                    'Group',
                    'User',
                    'Location',
                  ],
                },
              ],
              locations: [
                {
                  type: 'file',
                  target: resolve(repoRoot, 'examples/org.yaml'),
                },
                {
                  type: 'file',
                  target: resolve(repoRoot, 'examples/repos/*/shuttle.yaml'),
                },
                {
                  type: 'file',
                  target: resolve(repoRoot, 'examples/plans/*/plan.yaml'),
                },
              ],
            },
          },
        }),
      ],
    });
    const auth = {
      Authorization: mockCredentials.user.header('user:default/guest'),
    };
    const get = async (ref: string) => {
      const res = await request(server)
        .get(`/api/catalog/entities/by-name/${ref}`)
        .set(auth);
      return res.status === 200 ? res.body : undefined;
    };
    const waitFor = async (
      ref: string,
      ready: (e: any) => boolean = () => true,
    ) => {
      for (let i = 0; i < 200; i++) {
        const entity = await get(ref);
        if (entity && ready(entity)) return entity;
        await new Promise(r => setTimeout(r, 250));
      }
      throw new Error(`${ref} did not appear`);
    };
    const targets = (e: any, type: string) =>
      e.relations
        .filter((r: any) => r.type === type)
        .map((r: any) => r.targetRef)
        .sort();

    // A Go service with db, ingress, RabbitMQ, docs and an OpenAPI file.
    const bankaccount = await waitFor('component/default/bankaccount', e =>
      e.relations.some((r: any) => r.type === 'partOf'),
    );
    expect(bankaccount.spec).toMatchObject({
      type: 'service',
      owner: 'group:squad-mercury',
      system: 'accounts',
    });
    expect(targets(bankaccount, 'ownedBy')).toEqual([
      'group:default/squad-mercury',
    ]);
    expect(targets(bankaccount, 'dependsOn')).toEqual(
      expect.arrayContaining([
        'resource:default/bankaccount-db',
        'resource:default/rabbitmq',
      ]),
    );
    expect(targets(bankaccount, 'providesApi')).toEqual([
      'api:default/bankaccount-http',
    ]);
    expect(bankaccount.metadata.annotations['backstage.io/techdocs-ref']).toBe(
      `dir:${resolve(repoRoot, 'examples/repos/bankaccount')}`,
    );
    expect(
      bankaccount.metadata.annotations['lunar.app/release-manager-service'],
    ).toBe('bankaccount');

    const api = await waitFor('api/default/bankaccount-http');
    expect(api.spec.definition).toContain('openapi:');

    const db = await waitFor('resource/default/bankaccount-db');
    expect(db.spec).toMatchObject({
      type: 'database',
      owner: 'group:squad-mercury',
    });

    // Shared entities arrive once, from the provider's refresh.
    await waitFor('component/default/term-deposit');
    await waitFor('component/default/card-clearing');
    await scheduler.triggerTask('shuttle-shared-entities:refresh');
    const system = await waitFor('system/default/accounts');
    expect(system.spec).toMatchObject({
      owner: 'group:squad-mercury',
      domain: 'banking',
    });
    const domain = await waitFor('domain/default/banking');
    expect(targets(domain, 'hasPart')).toEqual(
      expect.arrayContaining(['system:default/accounts']),
    );
    const broker = await waitFor('resource/default/rabbitmq');
    expect(broker.spec.type).toBe('message-broker');

    // Each component depends on its plan, a component of type shuttle-plan
    // that knows who uses it.
    expect(targets(bankaccount, 'dependsOn')).toEqual(
      expect.arrayContaining(['component:default/lw-shuttle-go-plan']),
    );
    expect(bankaccount.metadata.annotations).toMatchObject({
      'lunar.app/shuttle-plan-name': 'lw-shuttle-go-plan',
      'lunar.app/shuttle-plan-ref': 'master',
    });
    const goPlan = await waitFor('component/default/lw-shuttle-go-plan', e =>
      e.relations.some(
        (r: any) =>
          r.type === 'dependencyOf' &&
          r.targetRef === 'component:default/term-deposit',
      ),
    );
    expect(goPlan.spec).toMatchObject({
      type: 'shuttle-plan',
      owner: 'group:squad-nasa',
    });
    expect(targets(goPlan, 'dependencyOf')).toEqual(
      expect.arrayContaining([
        'component:default/bankaccount',
        'component:default/term-deposit',
      ]),
    );
    // The plan repository's own shuttle.yaml is not a second component.
    const plans = await request(server)
      .get('/api/catalog/entities?filter=kind=component,spec.type=shuttle-plan')
      .set(auth);
    expect(plans.body.map((e: any) => e.metadata.name).sort()).toEqual([
      'lw-shuttle-docs-plan',
      'lw-shuttle-go-lib-plan',
      'lw-shuttle-go-plan',
      'lw-shuttle-infrastructure-plan',
      'lw-shuttle-node-plan',
    ]);

    // A library named by vars.pkg.
    const lib = await waitFor('component/default/go-amqp');
    expect(lib.spec.type).toBe('library');

    // The squad group owns what its repositories say.
    const group = await waitFor('group/default/squad-mercury', e =>
      e.relations.some(
        (r: any) =>
          r.type === 'ownerOf' &&
          r.targetRef === 'component:default/bankaccount',
      ),
    );
    expect(targets(group, 'ownerOf')).toEqual(
      expect.arrayContaining([
        'component:default/bankaccount',
        'component:default/term-deposit',
      ]),
    );
  });
});
