import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogModuleShuttle from '@internal/plugin-catalog-backend-module-shuttle';
import { PulseResponse } from '@internal/plugin-squad-overview-common';
import request from 'supertest';
import { squadOverviewPlugin } from './plugin';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../../..');
const user = {
  Authorization: mockCredentials.user.header('user:default/guest'),
};

/**
 * The real catalog (with the shuttle module) over a copy of the example
 * organisation and repositories, and this plugin's catalog tracker: after
 * its first, silent look, a repository added and one moved to another
 * squad reach the squads' pulses.
 */
describe('squad pulse over the example organisation', () => {
  let repos: string;
  beforeAll(() => {
    repos = fs.mkdtempSync(path.join(os.tmpdir(), 'squad-pulse-repos-'));
    fs.cpSync(path.join(ROOT, 'examples/repos'), repos, { recursive: true });
  });
  afterAll(() => fs.rmSync(repos, { recursive: true, force: true }));

  async function pulse(server: any, squad: string) {
    const res = await request(server)
      .get(`/api/squad-overview/pulse?squad=${squad}`)
      .set(user);
    expect(res.status).toBe(200);
    return (res.body as PulseResponse).items.map(i => i.summary);
  }

  async function eventually(fn: () => Promise<boolean>, what: string) {
    const deadline = Date.now() + 60_000;
    while (!(await fn())) {
      if (Date.now() > deadline) {
        throw new Error(`timed out: ${what}`);
      }
      await new Promise(r => setTimeout(r, 1_000));
    }
  }

  it('records services added to and moved between the example squads', async () => {
    const { server } = await startTestBackend({
      features: [
        // The real scheduler: the tracker runs every second, as configured.
        schedulerServiceFactory,
        catalogBackend,
        catalogModuleShuttle,
        squadOverviewPlugin,
        mockServices.rootConfig.factory({
          data: {
            squadOverview: {
              catalogChanges: { initialDelaySeconds: 1, frequencySeconds: 1 },
            },
            catalog: {
              processingInterval: { seconds: 1 },
              orphanStrategy: 'delete',
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'Domain',
                    'Resource',
                    'Location',
                    'API',
                  ],
                },
              ],
              locations: [
                {
                  type: 'file',
                  target: path.join(ROOT, 'examples/org.yaml'),
                  rules: [{ allow: ['User', 'Group'] }],
                },
                { type: 'file', target: path.join(repos, '*/shuttle.yaml') },
              ],
            },
          },
        }),
      ],
    });

    // The example repositories are in the catalog, owned by their squads:
    // wait until it has loaded them all (the count holds for 3 s).
    const components = async () =>
      (
        await request(server)
          .get('/api/catalog/entities/by-query?filter=kind=component&limit=500')
          .set(user)
      ).body.items as Array<{ metadata: { name: string } }>;
    const repoCount = fs.readdirSync(repos).length;
    let seen: number[] = [];
    await eventually(async () => {
      seen = [...seen, (await components()).length].slice(-4);
      return (
        seen.length === 4 && seen.every(n => n === seen[0] && n >= repoCount)
      );
    }, 'the example repositories in the catalog');
    const nasaComponents = await request(server)
      .get(
        '/api/catalog/entities/by-query?filter=kind=component,relations.ownedBy=group:default/squad-nasa',
      )
      .set(user);
    expect(
      nasaComponents.body.items.map((e: any) => e.metadata.name),
    ).toContain('dead-letter');

    // The tracker's looks while the catalog loaded, and the unchanged one
    // after: nothing is reported as added.
    await new Promise(r => setTimeout(r, 3_000));
    expect(await pulse(server, 'squad-nasa')).toEqual([]);

    // A new repository of squad-nasa, and go-amqp moved to squad-gemini.
    fs.mkdirSync(path.join(repos, 'payments-gateway'));
    fs.writeFileSync(
      path.join(repos, 'payments-gateway/shuttle.yaml'),
      'plan: git://git@github.com:lunarway/lw-shuttle-go-plan.git\nvars:\n  service: payments-gateway\n  squad: nasa\n',
    );
    const goAmqp = path.join(repos, 'go-amqp/shuttle.yaml');
    const before = fs.readFileSync(goAmqp, 'utf8');
    const squadLine = /^ {2}squad: .*$/m;
    expect(before).toMatch(squadLine);
    const from = before.match(squadLine)![0].split(': ')[1].trim();
    fs.writeFileSync(goAmqp, before.replace(squadLine, '  squad: gemini'));

    await eventually(async () => {
      const nasa = await pulse(server, 'squad-nasa');
      return (
        nasa.includes('payments-gateway was added to the catalog') &&
        nasa.some(s => s.startsWith('go-amqp moved from'))
      );
    }, 'the added and the moved service in the pulse');
    expect(await pulse(server, 'squad-gemini')).toContain(
      `go-amqp moved from squad-${from} to squad-gemini`,
    );
  });
});
