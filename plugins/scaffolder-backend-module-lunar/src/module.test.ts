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

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lunar-module-'));
const shuttleFile = path.join(dir, 'catalog-info.yaml');
fs.writeFileSync(
  shuttleFile,
  'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: x }\nspec: { type: service, owner: me, lifecycle: test }\n',
);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

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
          'lunar:publish:local',
          'lunar:catalog:register-file',
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

  it('opens file locations when local publishing is configured', async () => {
    const backend = await start({
      lunarScaffolder: {
        localGitDirectory: path.join(os.tmpdir(), 'lunar-unused'),
      },
    });
    try {
      const loc = await request(backend.server)
        .post('/api/catalog/locations?dryRun=true')
        .set(userAuth)
        .send({ type: 'file', target: shuttleFile });
      expect(loc.body.error?.message).toBeUndefined();
      expect(loc.status).toBe(201);
    } finally {
      await backend.stop();
    }
  });
});
