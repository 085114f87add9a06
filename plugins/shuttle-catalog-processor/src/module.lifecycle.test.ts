import fs from 'node:fs';
import {
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import os from 'node:os';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogModuleUnprocessed from '@backstage/plugin-catalog-backend-module-unprocessed';
import request from 'supertest';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogLocationsExtensionPoint } from '@backstage/plugin-catalog-node';
import catalogModuleShuttle from '.';

/** Lets the test register file locations, as GitHub discovery registers url ones. */
const allowFileLocations = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'test-file-locations',
  register(reg) {
    reg.registerInit({
      deps: { locations: catalogLocationsExtensionPoint },
      async init({ locations }) {
        locations.setAllowedLocationTypes(['url', 'file']);
      },
    });
  },
});

/**
 * Bad input stays with its location, and the catalog follows the files:
 * renamed services and removed repositories leave no stale entities.
 */
describe('catalog module shuttle: bad input, renames and removals', () => {
  jest.setTimeout(120_000);
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shuttle-test-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const write = (repo: string, content: string) => {
    fs.mkdirSync(path.join(dir, repo), { recursive: true });
    fs.writeFileSync(path.join(dir, repo, 'shuttle.yaml'), content);
  };

  it('reports bad shuttle.yaml on its location only and follows renames and removals', async () => {
    write(
      'good/payments',
      'plan: false\nvars: {service: payments, squad: gemini}\n',
    );
    write(
      'good/ledger',
      'plan: false\nvars: {service: ledger, squad: mercury}\n',
    );
    write(
      'bad/strict',
      'plan: false\nvars: {service: strict, squad: nasa}\nname: strict\n',
    );
    write('bad/broken', 'plan: false\nvars: [unclosed\n');

    // The catalog deletes orphans in a scheduled task; the test triggers it.
    const scheduler = mockServices.scheduler() as SchedulerService & {
      factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory;
    };
    const { server } = await startTestBackend({
      features: [
        scheduler.factory({ skipTaskRunOnStartup: true }),
        catalogBackend,
        catalogModuleShuttle,
        // Shows entities that never processed, with their errors.
        catalogModuleUnprocessed,
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            catalog: {
              processingInterval: { seconds: 1 },
              orphanStrategy: 'delete',
              rules: [{ allow: ['Component', 'Location'] }],
              locations: [
                { type: 'file', target: path.join(dir, 'good/*/shuttle.yaml') },
                {
                  type: 'file',
                  target: path.join(dir, 'bad/strict/shuttle.yaml'),
                },
                {
                  type: 'file',
                  target: path.join(dir, 'bad/broken/shuttle.yaml'),
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
    const names = async () => {
      const res = await request(server)
        .get('/api/catalog/entities?filter=kind=component')
        .set(auth);
      expect(res.status).toBe(200);
      return res.body.map((e: any) => e.metadata.name).sort();
    };
    const eventually = async (check: () => Promise<boolean>, what: string) => {
      for (let i = 0; i < 240; i++) {
        if (await check()) return;
        await new Promise(r => setTimeout(r, 250));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    // Processing errors as the catalog keeps them, on the location's own
    // refresh state; the unprocessed-entities endpoints (and the Unprocessed
    // Entities page) list them: "pending" until a location has processed
    // cleanly once, "failed" after.
    const locationErrors = async (target: string) => {
      const messages: string[] = [];
      for (const reason of ['failed', 'pending']) {
        const res = await request(server)
          .get(`/api/catalog/entities/unprocessed/${reason}`)
          .set(auth);
        expect(res.status).toBe(200);
        for (const e of res.body.entities) {
          if (e.unprocessed_entity.spec?.target === target) {
            messages.push(...(e.errors ?? []).map((x: any) => x.message));
          }
        }
      }
      return messages.join('\n');
    };

    // The good repositories arrive; the bad ones do not.
    await eventually(
      async () => (await names()).join() === 'ledger,payments',
      'the good components',
    );

    // Each bad file's error is on its own location, with the reason.
    const strictTarget = path.join(dir, 'bad/strict/shuttle.yaml');
    const brokenTarget = path.join(dir, 'bad/broken/shuttle.yaml');
    await eventually(
      async () => (await locationErrors(strictTarget)).length > 0,
      'the strict location error',
    );
    expect(await locationErrors(strictTarget)).toMatch(
      /unknown top-level key 'name'/,
    );
    await eventually(
      async () => (await locationErrors(brokenTarget)).length > 0,
      'the broken location error',
    );
    expect(await locationErrors(brokenTarget)).toMatch(/invalid YAML/);

    // A renamed service replaces its old entity; a removed repository goes.
    write(
      'good/ledger',
      'plan: false\nvars: {service: general-ledger, squad: mercury}\n',
    );
    fs.rmSync(path.join(dir, 'good/payments'), { recursive: true });
    await eventually(async () => {
      await scheduler.triggerTask('catalog_orphan_cleanup');
      return (await names()).join() === 'general-ledger';
    }, 'rename and removal');

    // Fixing a bad file brings its component in.
    write('bad/strict', 'plan: false\nvars: {service: strict, squad: nasa}\n');
    await eventually(
      async () => (await names()).includes('strict'),
      'the fixed component',
    );
    expect(await locationErrors(strictTarget)).toBe('');
  });

  it('gives a second location declaring the same name a conflict error until the first renames', async () => {
    const scheduler = mockServices.scheduler() as SchedulerService & {
      factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory;
    };
    fs.writeFileSync(
      path.join(dir, 'org.yaml'),
      'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: squad-gemini}\nspec: {type: squad, children: []}\n',
    );
    // The original repository, and a fork in another organisation that is
    // still called something else.
    write(
      'lunarway/payments',
      'plan: false\nvars: {service: payments, squad: gemini}\n',
    );
    write(
      'lunar-labs/payments',
      'plan: false\nvars: {service: payments-lab, squad: juno}\n',
    );
    const original = path.join(dir, 'lunarway/payments/shuttle.yaml');
    const fork = path.join(dir, 'lunar-labs/payments/shuttle.yaml');

    const { server } = await startTestBackend({
      features: [
        scheduler.factory({ skipTaskRunOnStartup: true }),
        catalogBackend,
        catalogModuleShuttle,
        catalogModuleUnprocessed,
        allowFileLocations,
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            catalog: {
              processingInterval: { seconds: 1 },
              orphanStrategy: 'delete',
              rules: [{ allow: ['Component', 'Group', 'Location'] }],
              locations: [
                { type: 'file', target: path.join(dir, 'org.yaml') },
                { type: 'file', target: original },
                { type: 'file', target: fork },
              ],
            },
          },
        }),
      ],
    });
    const auth = {
      Authorization: mockCredentials.user.header('user:default/guest'),
    };
    const entity = async (name: string) => {
      const res = await request(server)
        .get(`/api/catalog/entities/by-name/component/default/${name}`)
        .set(auth);
      return res.status === 200 ? res.body : undefined;
    };
    const eventually = async (check: () => Promise<boolean>, what: string) => {
      for (let i = 0; i < 240; i++) {
        if (await check()) return;
        await new Promise(r => setTimeout(r, 250));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const locationErrors = async (target: string) => {
      const messages: string[] = [];
      for (const reason of ['failed', 'pending']) {
        const res = await request(server)
          .get(`/api/catalog/entities/unprocessed/${reason}`)
          .set(auth);
        for (const e of res.body.entities) {
          if (e.unprocessed_entity.spec?.target === target) {
            // "" until the location has been processed once.
            messages.push(
              ...[e.errors || []].flat().map((x: any) => x.message),
            );
          }
        }
      }
      return messages.join('\n');
    };
    // A location that processed cleanly before carries later errors in its
    // status (the entity page's error banner, GET /entities?filter=...).
    const processingErrors = async (target: string) => {
      const res = await request(server)
        .get('/api/catalog/entities?filter=kind=location')
        .set(auth);
      const messages = res.body
        .filter((e: any) => e.spec?.target === target)
        .flatMap((e: any) => e.status?.items ?? [])
        .map((i: any) => i.error?.message);
      return [...messages, await locationErrors(target)]
        .filter(Boolean)
        .join('\n');
    };
    const managedBy = (e: any) =>
      e?.metadata.annotations['backstage.io/managed-by-location'];

    await eventually(
      async () => managedBy(await entity('payments')) === `file:${original}`,
      'the original payments',
    );
    // squad-juno is not in the catalog: the fork's component says so.
    await eventually(
      async () =>
        (
          await entity('payments-lab')
        )?.metadata.annotations['lunar.app/unknown-owner'] ===
        'group:default/squad-juno',
      'the unknown owner mark',
    );
    expect((await entity('payments')).metadata.annotations).not.toHaveProperty(
      'lunar.app/unknown-owner',
    );

    // The fork takes the same name: it loses, with an error naming the
    // original's location and the shared name; the original's data stays.
    write(
      'lunar-labs/payments',
      'plan: false\nvars: {service: payments, squad: juno}\n',
    );
    await eventually(
      async () => /Conflicting/.test(await processingErrors(fork)),
      'the conflict error on the fork',
    );
    const error = await processingErrors(fork);
    expect(error).toContain(
      `Conflicting shuttle.yaml at file:${fork}: component:default/payments is already defined by file:${original}, which declares the same name 'payments'`,
    );
    expect(await processingErrors(original)).toBe('');
    const kept = await entity('payments');
    expect(managedBy(kept)).toBe(`file:${original}`);
    expect(kept.spec.owner).toBe('group:squad-gemini');

    // A copy registered later never gets in: its location is listed on the
    // Unprocessed Entities page with the same explanation.
    write(
      'copy/payments',
      'plan: false\nvars: {service: payments, squad: gemini}\n',
    );
    const copy = path.join(dir, 'copy/payments/shuttle.yaml');
    const registered = await request(server)
      .post('/api/catalog/locations')
      .set(auth)
      .send({ type: 'file', target: copy });
    expect(registered.status).toBe(201);
    await eventually(
      async () => /Conflicting/.test(await locationErrors(copy)),
      'the conflict error on the copy',
    );
    expect(await locationErrors(copy)).toContain(
      `component:default/payments is already defined by file:${original}`,
    );
    await request(server)
      .delete(`/api/catalog/locations/${registered.body.location.id}`)
      .set(auth);

    // The original renames its service: the fork's claim now succeeds.
    write(
      'lunarway/payments',
      'plan: false\nvars: {service: payments-core, squad: gemini}\n',
    );
    await eventually(async () => {
      await scheduler.triggerTask('catalog_orphan_cleanup');
      return managedBy(await entity('payments')) === `file:${fork}`;
    }, 'the fork to take over payments');
    expect((await entity('payments')).spec.owner).toBe('group:squad-juno');
    expect(managedBy(await entity('payments-core'))).toBe(`file:${original}`);
    await eventually(
      async () => (await processingErrors(fork)) === '',
      "the fork's error to clear",
    );
  });
});
