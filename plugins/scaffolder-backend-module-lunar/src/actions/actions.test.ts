import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runGit } from '@internal/plugin-lunar-node';
import { createPublishLocalAction } from './publishLocal';
import { createRegisterFileAction } from './registerFile';
import { createValidateNameAction } from './validateName';
import { createValidateShuttleAction } from './validateShuttle';
import { GO_KEYWORDS } from '../names';

function makeCtx(input: any, workspacePath: string, extra: object = {}) {
  const outputs: Record<string, unknown> = {};
  const ctx: any = {
    input,
    workspacePath,
    logger: mockServices.logger.mock(),
    output: (k: string, v: unknown) => {
      outputs[k] = v;
    },
    getInitiatorCredentials: async () => ({ principal: { type: 'user' } }),
    checkpoint: async ({ fn }: any) => fn(),
    createTemporaryDirectory: async () =>
      fs.mkdtempSync(path.join(os.tmpdir(), 'tmp-')),
    task: { id: 'task-1' },
    ...extra,
  };
  return { ctx, outputs };
}

describe('Lunar scaffolder actions', () => {
  let root: string;
  let gitDir: string;
  let workspace: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lunar-actions-'));
    gitDir = path.join(root, 'scaffolded');
    workspace = path.join(root, 'workspace');
    fs.mkdirSync(path.join(workspace, 'docs'), { recursive: true });
    fs.writeFileSync(
      path.join(workspace, 'shuttle.yaml'),
      'plan: false\nvars:\n  squad: nasa\n',
    );
    fs.writeFileSync(path.join(workspace, 'docs/index.md'), '# hi\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('lunar:publish:local', () => {
    const action = () =>
      createPublishLocalAction({ config: { localGitDirectory: gitDir } });

    it('makes a bare repository with master and a clone next to it', async () => {
      const { ctx, outputs } = makeCtx(
        {
          repoName: 'svc-a',
          description: 'A',
          gitCommitMessage: 'Create svc-a',
        },
        workspace,
        {
          user: {
            entity: {
              metadata: { name: 'guest' },
              spec: {
                profile: {
                  displayName: 'Guest User',
                  email: 'guest@example.com',
                },
              },
            },
          },
        },
      );
      await action().handler(ctx);
      const bare = path.join(gitDir, 'svc-a.git');
      expect(outputs).toMatchObject({
        remoteUrl: `file://${bare}`,
        repoPath: bare,
        workingCopyPath: path.join(gitDir, 'svc-a'),
        createdPaths: [bare, path.join(gitDir, 'svc-a')],
      });
      expect(
        await runGit(['ls-tree', '-r', '--name-only', 'master'], { cwd: bare }),
      ).toBe('docs/index.md\nshuttle.yaml');
      expect(
        await runGit(['log', '-1', '--format=%an <%ae>|%s', 'master'], {
          cwd: bare,
        }),
      ).toBe('Guest User <guest@example.com>|Create svc-a');
      expect(await runGit(['rev-parse', 'master'], { cwd: bare })).toBe(
        outputs.commitHash,
      );
      expect(fs.readFileSync(path.join(bare, 'description'), 'utf8')).toBe(
        'A\n',
      );
      expect(fs.existsSync(path.join(gitDir, 'svc-a/shuttle.yaml'))).toBe(true);
    });

    it('refuses an existing repository and touches nothing', async () => {
      fs.mkdirSync(path.join(gitDir, 'svc-a.git'), { recursive: true });
      fs.writeFileSync(path.join(gitDir, 'svc-a.git/keep'), 'x');
      const { ctx } = makeCtx({ repoName: 'svc-a' }, workspace);
      await expect(action().handler(ctx)).rejects.toThrow(
        'A repository named "svc-a" already exists in the local git folder; nothing was changed',
      );
      expect(fs.readdirSync(gitDir)).toEqual(['svc-a.git']);
      expect(fs.readdirSync(path.join(gitDir, 'svc-a.git'))).toEqual(['keep']);
    });

    it('removes what it made when a step fails, naming the step', async () => {
      const { ctx } = makeCtx(
        { repoName: 'svc-b', sourcePath: 'missing' },
        workspace,
      );
      await expect(action().handler(ctx)).rejects.toThrow(
        /^lunar:publish:local failed while copying the workspace: .*; removed /,
      );
      expect(fs.readdirSync(gitDir)).toEqual([]);
    });

    it('rejects a name that is not a DNS label', async () => {
      const { ctx } = makeCtx({ repoName: 'Bad_Name' }, workspace);
      await expect(action().handler(ctx)).rejects.toThrow(
        /must be a DNS label/,
      );
      expect(fs.existsSync(gitDir)).toBe(false);
    });

    it('rejects a name that does not start with a letter', async () => {
      const { ctx } = makeCtx({ repoName: '1svc' }, workspace);
      await expect(action().handler(ctx)).rejects.toThrow(
        'Name "1svc" must start with a letter',
      );
      expect(fs.existsSync(gitDir)).toBe(false);
    });

    it('does nothing in a dry run', async () => {
      const { ctx, outputs } = makeCtx({ repoName: 'svc-c' }, workspace, {
        isDryRun: true,
      });
      await action().handler(ctx);
      expect(outputs.repoPath).toBe(path.join(gitDir, 'svc-c.git'));
      expect(outputs.createdPaths).toEqual([
        path.join(gitDir, 'svc-c.git'),
        path.join(gitDir, 'svc-c'),
      ]);
      expect(fs.existsSync(gitDir)).toBe(false);
    });

    it('needs the folder to be configured', async () => {
      const { ctx } = makeCtx({ repoName: 'svc-c' }, workspace);
      await expect(
        createPublishLocalAction({ config: {} }).handler(ctx),
      ).rejects.toThrow(
        'lunar:publish:local needs lunarScaffolder.localGitDirectory',
      );
    });
  });

  describe('lunar:catalog:register-file', () => {
    /** Publishes like the template's publish-local step; its createdPaths. */
    async function publish(name: string): Promise<string[]> {
      const { ctx, outputs } = makeCtx({ repoName: name }, workspace);
      await createPublishLocalAction({
        config: { localGitDirectory: gitDir },
      }).handler(ctx);
      return outputs.createdPaths as string[];
    }
    const rejectingCatalog = () => ({
      addLocation: jest.fn(async () => {
        throw new Error("unknown top-level key 'bogus'");
      }),
      getEntityByRef: jest.fn(),
      removeLocationById: jest.fn(),
    });
    const entity = (name: string) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name },
    });

    it('registers the shuttle.yaml as a file location', async () => {
      await publish('svc-a');
      const catalog = {
        addLocation: jest.fn(async (req: any) => ({
          location: { id: 'loc-1', type: 'file', target: req.target },
          entities: req.dryRun ? [entity('svc-a')] : [],
        })),
        getEntityByRef: jest.fn(async () => entity('svc-a')),
        removeLocationById: jest.fn(),
      };
      const { ctx, outputs } = makeCtx(
        { repoName: 'svc-a', waitSeconds: 5 },
        workspace,
      );
      await createRegisterFileAction({
        catalog: catalog as any,
        config: { localGitDirectory: gitDir },
      }).handler(ctx);
      const target = path.join(gitDir, 'svc-a/shuttle.yaml');
      expect(catalog.addLocation.mock.calls.map(c => c[0])).toEqual([
        { type: 'file', target, dryRun: true },
        { type: 'file', target },
      ]);
      expect(outputs).toEqual({
        entityRef: 'component:default/svc-a',
        catalogInfoPath: target,
      });
      expect(catalog.removeLocationById).not.toHaveBeenCalled();
    });

    it('a file the catalog rejects removes the repository and registers nothing', async () => {
      const cleanupPaths = await publish('svc-a');
      const catalog = rejectingCatalog();
      const { ctx } = makeCtx({ repoName: 'svc-a', cleanupPaths }, workspace);
      await expect(
        createRegisterFileAction({
          catalog: catalog as any,
          config: { localGitDirectory: gitDir },
        }).handler(ctx),
      ).rejects.toThrow(
        `lunar:catalog:register-file failed while checking the file with the catalog (dry run): unknown top-level key 'bogus'; removed ${cleanupPaths.join(
          ', ',
        )}`,
      );
      expect(catalog.addLocation).toHaveBeenCalledTimes(1);
      expect(fs.readdirSync(gitDir)).toEqual([]);
    });

    it('without cleanupPaths a failure leaves the repository alone: another run made it', async () => {
      // Another run published svc-a; this run only registers (no publish-local).
      await publish('svc-a');
      const before = await runGit(['rev-parse', 'master'], {
        cwd: path.join(gitDir, 'svc-a.git'),
      });
      const catalog = rejectingCatalog();
      const { ctx } = makeCtx({ repoName: 'svc-a' }, workspace);
      await expect(
        createRegisterFileAction({
          catalog: catalog as any,
          config: { localGitDirectory: gitDir },
        }).handler(ctx),
      ).rejects.toThrow(
        `unknown top-level key 'bogus'; removed nothing (no cleanupPaths: ${path.join(
          gitDir,
          'svc-a',
        )} was left in place)`,
      );
      expect(fs.readdirSync(gitDir).sort()).toEqual(['svc-a', 'svc-a.git']);
      expect(fs.existsSync(path.join(gitDir, 'svc-a/shuttle.yaml'))).toBe(true);
      expect(
        await runGit(['rev-parse', 'master'], {
          cwd: path.join(gitDir, 'svc-a.git'),
        }),
      ).toBe(before);
    });

    it.each([
      ['the whole folder', (dir: string) => [dir]],
      ['another repository', (dir: string) => [path.join(dir, 'other.git')]],
      [
        'a path leading out with ..',
        (dir: string) => [`${dir}/svc-a/../../svc-a`],
      ],
    ])(
      'refuses cleanupPaths naming %s and touches nothing',
      async (_what, paths) => {
        await publish('svc-a');
        await publish('other');
        const catalog = rejectingCatalog();
        const { ctx } = makeCtx(
          { repoName: 'svc-a', cleanupPaths: paths(gitDir) },
          workspace,
        );
        await expect(
          createRegisterFileAction({
            catalog: catalog as any,
            config: { localGitDirectory: gitDir },
          }).handler(ctx),
        ).rejects.toThrow(/^cleanupPaths may only list /);
        expect(catalog.addLocation).not.toHaveBeenCalled();
        expect(fs.readdirSync(gitDir).sort()).toEqual([
          'other',
          'other.git',
          'svc-a',
          'svc-a.git',
        ]);
      },
    );

    it('an entity that never appears removes the location and the repository', async () => {
      const cleanupPaths = await publish('svc-a');
      const catalog = {
        addLocation: jest.fn(async (req: any) => ({
          location: { id: 'loc-9', type: 'file', target: req.target },
          entities: req.dryRun ? [entity('svc-a')] : [],
        })),
        getEntityByRef: jest.fn(async () => undefined),
        removeLocationById: jest.fn(async () => {}),
      };
      const { ctx } = makeCtx(
        { repoName: 'svc-a', waitSeconds: 1, cleanupPaths },
        workspace,
      );
      await expect(
        createRegisterFileAction({
          catalog: catalog as any,
          config: { localGitDirectory: gitDir },
        }).handler(ctx),
      ).rejects.toThrow(
        /failed while waiting for component:default\/svc-a to appear in the catalog: not in the catalog after 1s/,
      );
      expect(catalog.removeLocationById).toHaveBeenCalledWith(
        'loc-9',
        expect.anything(),
      );
      expect(fs.readdirSync(gitDir)).toEqual([]);
    });

    it('a file yielding another entity is refused', async () => {
      const cleanupPaths = await publish('svc-a');
      const catalog = {
        addLocation: jest.fn(async () => ({
          location: {},
          entities: [entity('other')],
        })),
        getEntityByRef: jest.fn(),
        removeLocationById: jest.fn(),
      };
      const { ctx } = makeCtx({ repoName: 'svc-a', cleanupPaths }, workspace);
      await expect(
        createRegisterFileAction({
          catalog: catalog as any,
          config: { localGitDirectory: gitDir },
        }).handler(ctx),
      ).rejects.toThrow(
        /yields component:default\/other, not component:default\/svc-a/,
      );
      expect(fs.readdirSync(gitDir)).toEqual([]);
    });
  });

  describe('lunar:validate:name', () => {
    const catalog = {
      getEntityByRef: jest.fn(async (ref: any) =>
        ref.name === 'taken' || ref.name === 'squad-nasa'
          ? { spec: { owner: 'group:default/squad-nasa' } }
          : undefined,
      ),
    };
    const action = (dir?: string) =>
      createValidateNameAction({
        catalog: catalog as any,
        config: { localGitDirectory: dir },
      });

    it('outputs the squad and where to publish', async () => {
      const { ctx, outputs } = makeCtx(
        { name: 'new-svc', owner: 'group:default/squad-nasa' },
        workspace,
      );
      await action(gitDir).handler(ctx);
      expect(outputs).toEqual({ localPublish: true, squad: 'nasa' });
      const second = makeCtx(
        { name: 'new-svc', owner: 'squad-nasa' },
        workspace,
      );
      await action().handler(second.ctx);
      expect(second.outputs).toEqual({ localPublish: false, squad: 'nasa' });
    });

    it.each([
      [
        { name: 'taken' },
        'Component "taken" already exists in the catalog (owner group:default/squad-nasa); choose another name',
      ],
      [{ name: 'UPPER' }, 'Name "UPPER" must be a DNS label'],
      [{ name: '1password' }, 'Name "1password" must start with a letter'],
      [{ name: '-x' }, 'Name "-x" must start with a letter'],
      [{ name: 'x-' }, 'Name "x-" must be a DNS label'],
      [
        { name: 'ok', owner: 'user:default/guest' },
        'Owner "user:default/guest" is not a squad',
      ],
      [
        { name: 'ok', owner: 'group:default/squad-none' },
        'Owner "group:default/squad-none" is not a group in the catalog',
      ],
    ])('rejects %j', async (input, message) => {
      const { ctx } = makeCtx(input, workspace);
      await expect(action().handler(ctx)).rejects.toThrow(message);
    });

    it.each(GO_KEYWORDS)(
      'refuses the Go keyword %s as a library (goPackage) name',
      async keyword => {
        const { ctx } = makeCtx({ name: keyword, goPackage: true }, workspace);
        await expect(action().handler(ctx)).rejects.toThrow(
          `Name "${keyword}" gives the Go package name "${keyword}", which is a Go keyword; choose another name`,
        );
      },
    );

    it('checks the package name without "-" and only with goPackage', async () => {
      const { ctx } = makeCtx({ name: 'g-o', goPackage: true }, workspace);
      await expect(action().handler(ctx)).rejects.toThrow(
        'Name "g-o" gives the Go package name "go", which is a Go keyword',
      );
      for (const input of [
        { name: 'go-retry', goPackage: true },
        { name: 'types', goPackage: true },
        { name: 'type' }, // a service: its Go package is main
      ]) {
        const ok = makeCtx(input, workspace);
        await action().handler(ok.ctx);
        expect(ok.outputs).toEqual({ localPublish: false, squad: '' });
      }
    });

    it('rejects a name taken by a local repository', async () => {
      fs.mkdirSync(path.join(gitDir, 'local-only.git'), { recursive: true });
      const { ctx } = makeCtx({ name: 'local-only' }, workspace);
      await expect(action(gitDir).handler(ctx)).rejects.toThrow(
        'A repository named "local-only" already exists in the local git folder',
      );
    });
  });

  describe('lunar:shuttle:validate', () => {
    const action = () =>
      createValidateShuttleAction({ rootConfig: new ConfigReader({}) });
    const write = (content: string) =>
      fs.writeFileSync(path.join(workspace, 'shuttle.yaml'), content);
    const good = [
      'plan: git://git@github.com:lunarway/lw-shuttle-go-plan.git',
      'vars:',
      '  service: "svc-a"',
      '  squad: "nasa"',
      '  db: true',
      '',
    ].join('\n');

    it('accepts a shuttle.yaml the catalog accepts and names its entities', async () => {
      write(good);
      const { ctx, outputs } = makeCtx({ name: 'svc-a' }, workspace);
      await action().handler(ctx);
      expect(outputs).toEqual({
        entityRef: 'component:default/svc-a',
        entityRefs: ['component:default/svc-a', 'resource:default/svc-a-db'],
      });
    });

    it.each([
      [
        'an unknown top-level key',
        `${good}owner: not-a-shuttle-key\n`,
        "shuttle.yaml would be rejected by the catalog: unknown top-level key 'owner'; shuttle allows only plan, vars and scripts; nothing was published",
      ],
      [
        'broken YAML',
        'plan: [unclosed\n',
        'shuttle.yaml would be rejected by the catalog: invalid YAML',
      ],
      [
        'no squad',
        'plan: false\nvars:\n  service: svc-a\n',
        "shuttle.yaml would be rejected by the catalog: missing 'vars.squad'",
      ],
      [
        'an invalid system name',
        `${good}  system: "not valid!"\n`,
        "shuttle.yaml would be rejected by the catalog: system 'not valid!' is not a valid entity name",
      ],
      [
        'another component',
        good.replace('"svc-a"', '"svc-b"'),
        'shuttle.yaml yields component:default/svc-b, resource:default/svc-b-db, not component:default/svc-a; nothing was published',
      ],
    ])('refuses %s', async (_what, content, message) => {
      write(content);
      const { ctx } = makeCtx({ name: 'svc-a' }, workspace);
      await expect(action().handler(ctx)).rejects.toThrow(message);
    });

    it('refuses a missing file and a path outside the workspace', async () => {
      const missing = makeCtx(
        { name: 'svc-a', filePath: 'nope.yaml' },
        workspace,
      );
      await expect(action().handler(missing.ctx)).rejects.toThrow(
        'nope.yaml could not be read from the workspace',
      );
      const outside = makeCtx(
        { name: 'svc-a', filePath: '../shuttle.yaml' },
        workspace,
      );
      await expect(action().handler(outside.ctx)).rejects.toThrow(/outside/i);
    });
  });
});
