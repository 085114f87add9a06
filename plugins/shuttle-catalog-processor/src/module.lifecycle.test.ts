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
import catalogModuleShuttle from '.';

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
});
