import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { runGit } from '@internal/plugin-lunar-node';
import {
  loadTemplate,
  startLunarBackend,
  userAuth,
  waitForEntity,
  waitForEntityOrThrow,
} from './__testUtils__/backend';

jest.setTimeout(180_000);

/** Runs a template from the catalog as a real task; resolves with its completion. */
async function runTask(server: any, templateRef: string, values: object) {
  const created = await request(server)
    .post('/api/scaffolder/v2/tasks')
    .set(userAuth)
    .send({ templateRef, values });
  expect(created.status).toBe(201);
  const id = created.body.id;
  const events: any[] = [];
  let after: number | undefined;
  for (;;) {
    const res = await request(server)
      .get(`/api/scaffolder/v2/tasks/${id}/events`)
      .query(after === undefined ? {} : { after })
      .set(userAuth);
    events.push(...res.body);
    if (res.body.length) after = res.body[res.body.length - 1].id;
    const completion = events.find(e => e.type === 'completion');
    if (completion) return { id, events, completion: completion.body };
  }
}

describe('templates as real tasks, published locally', () => {
  let backend: Awaited<ReturnType<typeof startLunarBackend>>;
  let gitDir: string;

  beforeAll(async () => {
    gitDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lunar-scaffolded-'));
    backend = await startLunarBackend({ localGitDirectory: gitDir });
    await waitForEntityOrThrow(backend.server, 'group:default/squad-odyssey');
    await waitForEntityOrThrow(backend.server, 'template:default/go-service');
  });
  afterAll(async () => {
    await backend?.stop();
    fs.rmSync(gitDir, { recursive: true, force: true });
  });

  it('go-service with every feature lands in the catalog with owner, resources and docs', async () => {
    const started = Date.now();
    const { completion } = await runTask(
      backend.server,
      'template:default/go-service',
      {
        name: 'ledger-events',
        description: 'Ledger events',
        owner: 'group:default/squad-odyssey',
        autoRelease: ['dev'],
        db: true,
        ingress: true,
        rabbitmq: true,
      },
    );
    expect(completion.message).toBe('Run completed with status: completed');
    expect(completion.output.links).toEqual([
      {
        title: 'Open in catalog',
        icon: 'catalog',
        entityRef: 'component:default/ledger-events',
      },
      {
        title: 'Repository',
        url: `file://${path.join(gitDir, 'ledger-events.git')}`,
      },
    ]);

    // Its release status was computed by the last step, through
    // release-status's real router: the first read is not pending.
    const releaseStatus = await request(backend.server)
      .get('/api/release-status/status')
      .query({ entityRef: 'component:default/ledger-events' })
      .set(userAuth);
    expect(releaseStatus.status).toBe(200);
    expect(releaseStatus.body.freshness.state).toBe('computed');
    expect(releaseStatus.body.computedAt).toEqual(expect.any(String));

    // The template waits for the entity, so it is there when the task ends.
    const entity = await waitForEntity(
      backend.server,
      'component:default/ledger-events',
      1,
    );
    expect(entity).toBeDefined();
    // eslint-disable-next-line no-console
    console.log(`go-service task to catalog: ${Date.now() - started} ms`);
    expect(entity.spec).toMatchObject({
      type: 'service',
      owner: 'group:squad-odyssey',
      lifecycle: 'production',
    });
    expect(entity.metadata.description).toBe('Ledger events');
    expect(entity.metadata.annotations['backstage.io/techdocs-ref']).toBe(
      `dir:${path.join(gitDir, 'ledger-events')}`,
    );
    expect(entity.metadata.annotations['lunar.app/ingress']).toBe('true');
    const targets = (entity.relations ?? []).map(
      (r: any) => `${r.type} ${r.targetRef}`,
    );
    expect(targets).toEqual(
      expect.arrayContaining([
        'ownedBy group:default/squad-odyssey',
        'dependsOn resource:default/ledger-events-db',
        'dependsOn resource:default/rabbitmq',
        'providesApi api:default/ledger-events-http',
      ]),
    );
    expect(
      await waitForEntity(backend.server, 'resource:default/ledger-events-db'),
    ).toBeDefined();
    expect(
      await waitForEntity(backend.server, 'api:default/ledger-events-http'),
    ).toBeDefined();

    // A real bare repository with master holding the generated files.
    const bare = path.join(gitDir, 'ledger-events.git');
    const tree = await runGit(['ls-tree', '-r', '--name-only', 'master'], {
      cwd: bare,
    });
    expect(tree.split('\n')).toEqual(
      expect.arrayContaining([
        'shuttle.yaml',
        'mkdocs.yml',
        'docs/index.md',
        'api/openapi.yaml',
        'cmd/ledger-events/main.go',
        'cmd/ledger-events/consumer.go',
        'release-policies.yaml',
        '.github/workflows/ci.yaml',
        'Dockerfile',
      ]),
    );
    expect(
      await runGit(['log', '-1', '--format=%s', 'master'], { cwd: bare }),
    ).toBe('Create ledger-events from the Go service template');
  });

  it('a taken name fails at the first step and creates nothing', async () => {
    const before = fs.readdirSync(gitDir).sort();
    const { completion, events } = await runTask(
      backend.server,
      'template:default/go-library',
      {
        name: 'ledger-events',
        description: 'Again',
        owner: 'group:default/squad-odyssey',
      },
    );
    expect(completion.message).toBe('Run completed with status: failed');
    expect(completion.error.message).toContain(
      'Component "ledger-events" already exists in the catalog',
    );
    const failed = events.find(e => e.body?.status === 'failed');
    expect(failed.body.stepId).toBe('validate');
    // The user reads the task log: the reason, and no stack frames.
    const log = events
      .filter(e => e.type === 'log')
      .map(e => String(e.body?.message))
      .join('\n');
    expect(log).toContain('already exists in the catalog');
    expect(log).not.toMatch(/\n\s+at \S+/);
    expect(fs.readdirSync(gitDir).sort()).toEqual(before);
  });

  it('a dry run with the local folder takes the local steps and creates nothing', async () => {
    const before = fs.readdirSync(gitDir).sort();
    const { template, directoryContents } = loadTemplate('go-library');
    const res = await request(backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .set(userAuth)
      .send({
        template,
        values: {
          name: 'dry-lib',
          description: 'Dry',
          owner: 'group:default/squad-odyssey',
        },
        directoryContents,
      });
    expect(res.status).toBe(200);
    const status = Object.fromEntries(
      res.body.log
        .map((l: any) => l.body)
        .filter((b: any) => b.status === 'completed' || b.status === 'skipped')
        .map((b: any) => [b.stepId, b.status]),
    );
    expect(status).toMatchObject({
      validate: 'completed',
      fetch: 'completed',
      'check-shuttle': 'completed',
      'publish-local': 'completed',
      'register-local': 'completed',
      publish: 'skipped',
      register: 'skipped',
    });
    expect(res.body.output.links).toEqual([
      {
        title: 'Open in catalog',
        icon: 'catalog',
        entityRef: 'component:default/dry-lib',
      },
      {
        title: 'Repository',
        url: `file://${path.join(gitDir, 'dry-lib.git')}`,
      },
    ]);
    expect(fs.readdirSync(gitDir).sort()).toEqual(before);
  });

  it('a shuttle.yaml the catalog rejects fails at registration and removes the repository', async () => {
    await waitForEntityOrThrow(
      backend.server,
      'template:default/broken-fixture',
    );
    const before = fs.readdirSync(gitDir).sort();
    const { completion, events } = await runTask(
      backend.server,
      'template:default/broken-fixture',
      { name: 'broken-svc', owner: 'group:default/squad-odyssey' },
    );
    expect(completion.message).toBe('Run completed with status: failed');
    expect(completion.error.message).toMatch(
      /^lunar:catalog:register-file failed while checking the file with the catalog \(dry run\): .*unknown top-level key 'owner'/,
    );
    const failed = events.find(e => e.body?.status === 'failed');
    expect(failed.body.stepId).toBe('register-local');
    // publish-local did run (the repository existed) and was undone.
    expect(
      events.some(
        e =>
          e.body?.stepId === 'publish-local' && e.body?.status === 'completed',
      ),
    ).toBe(true);
    expect(fs.readdirSync(gitDir).sort()).toEqual(before);
    expect(
      await waitForEntity(backend.server, 'component:default/broken-svc', 2000),
    ).toBeUndefined();
  });
});
