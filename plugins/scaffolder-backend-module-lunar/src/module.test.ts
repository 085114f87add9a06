import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import scaffolderBackend from '@backstage/plugin-scaffolder-backend';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  catalogModuleLunarFileLocations,
  scaffolderModuleLunar,
} from './module';
import { userAuth } from './__testUtils__/backend';

jest.setTimeout(60_000);

async function start(config: object) {
  return startTestBackend({
    features: [
      catalogBackend,
      scaffolderBackend,
      scaffolderModuleLunar,
      catalogModuleLunarFileLocations,
      mockServices.rootConfig.factory({ data: config }),
    ],
  });
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lunar-module-'));
// The local git folder, and a folder next to it the catalog must not read.
const dir = path.join(root, 'scaffolded');
const outsideDir = path.join(root, 'elsewhere');
const entityYaml = (name: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: ${name} }\nspec: { type: service, owner: me, lifecycle: test }\n`;
fs.mkdirSync(path.join(dir, 'x'), { recursive: true });
fs.mkdirSync(outsideDir, { recursive: true });
const shuttleFile = path.join(dir, 'x', 'catalog-info.yaml');
fs.writeFileSync(shuttleFile, entityYaml('x'));
const outsideFile = path.join(outsideDir, 'catalog-info.yaml');
fs.writeFileSync(outsideFile, entityYaml('secret'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('modules', () => {
  it('registers the actions and keeps file locations closed in production', async () => {
    const backend = await start({});
    try {
      const actions = await request(backend.server)
        .get('/api/scaffolder/v2/actions')
        .set(userAuth);
      expect(actions.body.map((a: any) => a.id)).toEqual(
        expect.arrayContaining([
          'lunar:validate:name',
          'lunar:shuttle:validate',
          'lunar:publish:local',
          'lunar:catalog:register-file',
          'lunar:release-status:refresh',
        ]),
      );
      const loc = await request(backend.server)
        .post('/api/catalog/locations?dryRun=true')
        .set(userAuth)
        .send({ type: 'file', target: shuttleFile });
      expect(loc.status).toBe(400);
      expect(loc.body.error.message).toContain('must be of an allowed type');
    } finally {
      await backend.stop();
    }
  });

  it('opens file locations when local publishing is configured, only under its folder', async () => {
    const backend = await start({
      lunarScaffolder: { localGitDirectory: dir },
    });
    const post = (target: string, dryRun = true) =>
      request(backend.server)
        .post(`/api/catalog/locations${dryRun ? '?dryRun=true' : ''}`)
        .set(userAuth)
        .send({ type: 'file', target });
    try {
      const loc = await post(shuttleFile);
      expect(loc.body.error?.message).toBeUndefined();
      expect(loc.status).toBe(201);
      expect(loc.body.entities.map((e: any) => e.metadata.name)).toContain('x');

      for (const target of [
        outsideFile,
        // `..` leading out of the folder, although the path starts with it.
        `${dir}/x/../../elsewhere/catalog-info.yaml`,
        // The folder's name as a prefix of another folder.
        `${dir}-other/catalog-info.yaml`,
        // Patterns and backslashes the catalog's glob would expand.
        `${dir}/{x,../elsewhere}/catalog-info.yaml`,
        `${dir}/x\\..\\..\\elsewhere\\catalog-info.yaml`,
        dir,
        // Relative targets resolve against the working directory.
        'catalog-info.yaml',
      ]) {
        for (const dryRun of [true, false]) {
          const res = await post(target, dryRun);
          expect({ target, dryRun, status: res.status }).toEqual({
            target,
            dryRun,
            status: 400,
          });
          expect(res.body.error.message).toMatch(
            /^File location .* is refused: /,
          );
        }
      }

      // Registered for real: allowed inside, and cannot be moved outside.
      const created = await post(shuttleFile, false);
      expect(created.status).toBe(201);
      const moved = await request(backend.server)
        .put(`/api/catalog/locations/${created.body.location.id}`)
        .set(userAuth)
        .send({ type: 'file', target: outsideFile });
      expect(moved.status).toBe(400);
      expect(moved.body.error.message).toContain('is refused');

      const targets = await request(backend.server)
        .get('/api/catalog/locations')
        .set(userAuth);
      const fileTargets = targets.body
        .map((l: any) => l.data)
        .filter((l: any) => l.type === 'file')
        .map((l: any) => l.target);
      expect(fileTargets).toEqual([shuttleFile]);

      // url locations are not the guard's business.
      const url = await request(backend.server)
        .post('/api/catalog/locations?dryRun=true')
        .set(userAuth)
        .send({ type: 'url', target: 'not a url' });
      expect(url.body.error?.message ?? '').not.toContain('is refused');
    } finally {
      await backend.stop();
    }
  });
});
