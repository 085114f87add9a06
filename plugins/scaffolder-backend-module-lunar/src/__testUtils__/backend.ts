import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderBackend from '@backstage/plugin-scaffolder-backend';
import scaffolderModuleGithub from '@backstage/plugin-scaffolder-backend-module-github';
import catalogModuleShuttle from '@internal/plugin-catalog-backend-module-shuttle';
// The templates' last step asks release-status's real router.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import releaseStatusBackend from '@internal/plugin-release-status-backend';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import {
  catalogModuleLunarFileLocations,
  scaffolderModuleLunar,
} from '../module';

/** The repository root (templates/, examples/). */
export const ROOT = path.resolve(__dirname, '../../../..');
export const TEMPLATES = path.join(ROOT, 'templates');
export const TEMPLATE_NAMES = [
  'go-service',
  'go-library',
  'infrastructure-service',
  'documentation-site',
];

export const userAuth = {
  Authorization: mockCredentials.user.header('user:default/guest'),
};

const b64 = (s: Buffer) => s.toString('base64');

/** A template's entity and every file under its folder, as dry-run input. */
export function loadTemplate(name: string) {
  return loadTemplateFromDir(path.join(TEMPLATES, name));
}

/** Like loadTemplate, for a template folder anywhere (fixtures). */
export function loadTemplateFromDir(dir: string) {
  const files: { path: string; base64Content: string }[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), {
      withFileTypes: true,
    })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else
        files.push({
          path: r,
          base64Content: b64(fs.readFileSync(path.join(dir, r))),
        });
    }
  };
  walk('');
  const template = parse(
    fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8'),
  );
  return { template, directoryContents: files };
}

/**
 * Catalog (with the shuttle module and the org) plus scaffolder with Lunar's
 * module, and release-status (no sources configured); templates are
 * registered from templates/ like app-config does.
 */
export async function startLunarBackend(opts: { localGitDirectory?: string }) {
  const backend = await startTestBackend({
    features: [
      catalogBackend,
      catalogModuleScaffolderEntityModel,
      catalogModuleShuttle,
      scaffolderBackend,
      scaffolderModuleGithub,
      scaffolderModuleLunar,
      catalogModuleLunarFileLocations,
      // lunar:release-status:refresh asks its real router.
      releaseStatusBackend,
      mockServices.rootConfig.factory({
        data: {
          ...(opts.localGitDirectory && {
            lunarScaffolder: { localGitDirectory: opts.localGitDirectory },
          }),
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
                  'Location',
                ],
              },
            ],
            locations: [
              {
                type: 'file',
                target: path.join(ROOT, 'examples/org.yaml'),
                rules: [{ allow: ['User', 'Group'] }],
              },
              {
                type: 'file',
                target: path.join(TEMPLATES, '*/template.yaml'),
                rules: [{ allow: ['Template'] }],
              },
              {
                type: 'file',
                target: path.join(
                  __dirname,
                  '../__fixtures__/broken-template/template.yaml',
                ),
                rules: [{ allow: ['Template'] }],
              },
            ],
          },
        },
      }),
    ],
  });
  return backend;
}

/** Polls the catalog until the entity exists (or the time is up). */
export async function waitForEntity(
  server: any,
  ref: string,
  timeoutMs = 30_000,
): Promise<any> {
  const [kind, rest] = ref.split(':');
  const [ns, name] = rest.split('/');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(server)
      .get(`/api/catalog/entities/by-name/${kind}/${ns}/${name}`)
      .set(userAuth);
    if (res.status === 200) return res.body;
    if (Date.now() > deadline) return undefined;
    await new Promise(r => setTimeout(r, 250));
  }
}

/** Decoded files of a dry-run response, by path. */
export function filesOf(body: any): Record<string, string> {
  return Object.fromEntries(
    (body.directoryContents ?? []).map((f: any) => [
      f.path,
      Buffer.from(f.base64Content, 'base64').toString('utf8'),
    ]),
  );
}

/** For beforeAll: fails the suite when the entity never arrives. */
export async function waitForEntityOrThrow(server: any, ref: string) {
  if (!(await waitForEntity(server, ref))) {
    throw new Error(`${ref} did not appear in the catalog`);
  }
}
