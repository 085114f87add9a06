import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { mockServices } from '@backstage/backend-test-utils';
import { UrlReaderService } from '@backstage/backend-plugin-api';
import {
  CatalogProcessorResult,
  LocationSpec,
} from '@backstage/plugin-catalog-node';
import { readShuttleProcessorConfig } from '@internal/plugin-shuttle-node';
import { createShuttleParser, isShuttleLocation } from './createShuttleParser';

const config = readShuttleProcessorConfig(new ConfigReader({}));
const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({ integrations: { github: [{ host: 'github.com' }] } }),
);

/** A URL reader over an in-memory repository, as GitHub would serve it. */
function fakeGithub(files: Record<string, string>): UrlReaderService {
  // Relative URLs resolve to /tree/ URLs, which GitHub's reader accepts too.
  const prefix =
    /^https:\/\/github\.com\/lunarway\/payments\/(blob|tree)\/master\//;
  return {
    async readUrl(url: string) {
      const content = files[url.replace(prefix, '')];
      if (content === undefined) throw new NotFoundError(`${url} not found`);
      return { buffer: async () => Buffer.from(content) } as any;
    },
    readTree: async () => {
      throw new Error('not used');
    },
    search: async () => {
      throw new Error('not used');
    },
  };
}

async function collect(
  reader: UrlReaderService,
  location: LocationSpec,
  data: string,
): Promise<CatalogProcessorResult[]> {
  const parser = createShuttleParser({
    config,
    reader,
    integrations,
    logger: mockServices.logger.mock(),
  });
  const results: CatalogProcessorResult[] = [];
  for await (const r of parser({ data: Buffer.from(data), location })) {
    results.push(r);
  }
  return results;
}

const shuttle = 'plan: false\nvars: {service: payments, squad: juno}\n';

describe('createShuttleParser', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shuttle-parser-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const fileLocation = (): LocationSpec => ({
    type: 'file',
    target: path.join(dir, 'shuttle.yaml'),
  });
  const names = (results: CatalogProcessorResult[]) =>
    results.map(r =>
      r.type === 'entity'
        ? `${r.entity.kind}:${r.entity.metadata.name}`
        : r.type,
    );

  it('recognises shuttle files by name only', () => {
    expect(
      isShuttleLocation({ type: 'file', target: '/r/shuttle.yaml' }, [
        'shuttle.yaml',
      ]),
    ).toBe(true);
    expect(
      isShuttleLocation(
        {
          type: 'url',
          target: 'https://github.com/o/r/blob/master/shuttle.yaml',
        },
        ['shuttle.yaml'],
      ),
    ).toBe(true);
    expect(
      isShuttleLocation({ type: 'file', target: '/r/catalog-info.yaml' }, [
        'shuttle.yaml',
      ]),
    ).toBe(false);
    expect(
      isShuttleLocation(
        { type: 'github-org', target: 'https://github.com/o' },
        ['shuttle.yaml'],
      ),
    ).toBe(false);
  });

  it('hands other files to the default entity parser', async () => {
    const results = await collect(
      fakeGithub({}),
      { type: 'file', target: path.join(dir, 'catalog-info.yaml') },
      'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: squad-juno}\nspec: {type: squad, children: []}\n',
    );
    expect(names(results)).toEqual(['Group:squad-juno']);
  });

  it('reads the OpenAPI file and mkdocs.yml next to a file location', async () => {
    fs.mkdirSync(path.join(dir, 'api'));
    fs.writeFileSync(path.join(dir, 'api', 'openapi.yaml'), 'openapi: 3.0.3\n');
    fs.writeFileSync(path.join(dir, 'mkdocs.yml'), 'site_name: payments\n');
    const results = await collect(fakeGithub({}), fileLocation(), shuttle);
    expect(names(results)).toEqual(['Component:payments', 'API:payments-http']);
    const component = (results[0] as any).entity;
    expect(component.metadata.annotations['backstage.io/techdocs-ref']).toBe(
      `dir:${dir}`,
    );
    expect(component.metadata.annotations['backstage.io/source-location']).toBe(
      `file:${dir}/`,
    );
    expect((results[1] as any).entity.spec.definition).toBe('openapi: 3.0.3\n');
  });

  it('leaves a repository with catalog-info.yaml to that file', async () => {
    fs.writeFileSync(path.join(dir, 'catalog-info.yaml'), 'kind: Component\n');
    expect(await collect(fakeGithub({}), fileLocation(), shuttle)).toEqual([]);
  });

  it('reads siblings through the URL reader for GitHub locations', async () => {
    const reader = fakeGithub({
      'shuttle.yaml': shuttle,
      'mkdocs.yml': 'site_name: payments\n',
      'openapi.yaml': 'openapi: 3.0.3\n',
    });
    const results = await collect(
      reader,
      {
        type: 'url',
        target: 'https://github.com/lunarway/payments/blob/master/shuttle.yaml',
      },
      shuttle,
    );
    expect(names(results)).toEqual(['Component:payments', 'API:payments-http']);
    const annotations = (results[0] as any).entity.metadata.annotations;
    expect(annotations['github.com/project-slug']).toBe('lunarway/payments');
    expect(annotations['backstage.io/techdocs-ref']).toBe('dir:.');
    expect(annotations['backstage.io/source-location']).toBe(
      'url:https://github.com/lunarway/payments/tree/master/',
    );
  });

  it('turns bad input into an input error for the location', async () => {
    const results = await collect(
      fakeGithub({}),
      fileLocation(),
      'plan: false\nvars: {service: x}\n',
    );
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      type: 'error',
      location: fileLocation(),
      error: {
        name: 'InputError',
        message: expect.stringMatching(/missing 'vars.squad'/),
      },
    });
  });

  it('reports a repository it cannot read as a general error, not a crash', async () => {
    const reader = fakeGithub({});
    reader.readUrl = async () => {
      throw new Error('GitHub is down');
    };
    const results = await collect(
      reader,
      {
        type: 'url',
        target: 'https://github.com/lunarway/payments/blob/master/shuttle.yaml',
      },
      shuttle,
    );
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      type: 'error',
      error: { message: expect.stringMatching(/GitHub is down/) },
    });
  });

  it('reads plan.yaml as a shuttle-plan component owned by its shuttle.yaml squad', async () => {
    fs.writeFileSync(
      path.join(dir, 'shuttle.yaml'),
      'plan: false\nvars: {service: go-plan, squad: nasa}\n',
    );
    const results = await collect(
      fakeGithub({}),
      { type: 'file', target: path.join(dir, 'plan.yaml') },
      'scripts:\n  build: {actions: [{shell: go build}]}\n',
    );
    expect(names(results)).toEqual([`Component:${path.basename(dir)}`]);
    expect((results[0] as any).entity.spec).toMatchObject({
      type: 'shuttle-plan',
      owner: 'group:squad-nasa',
    });
    // The plan repository's shuttle.yaml leaves the repository to the plan.
    fs.writeFileSync(path.join(dir, 'plan.yaml'), 'scripts: {}\n');
    expect(await collect(fakeGithub({}), fileLocation(), shuttle)).toEqual([]);
  });

  it("reports a wrong-typed squad in the plan repository's shuttle.yaml instead of falling back to the platform owner", async () => {
    fs.writeFileSync(
      path.join(dir, 'shuttle.yaml'),
      'plan: false\nvars: {service: go-plan, squad: 7}\n',
    );
    const location: LocationSpec = {
      type: 'file',
      target: path.join(dir, 'plan.yaml'),
    };
    expect(await collect(fakeGithub({}), location, 'scripts: {}\n')).toEqual([
      expect.objectContaining({
        type: 'error',
        error: expect.objectContaining({
          message: expect.stringMatching(
            /^Invalid shuttle plan at file:.*plan\.yaml: vars\.squad of the shuttle\.yaml next to it must be a string, got number \(quote it: squad: "7"\)$/,
          ),
        }),
      }),
    ]);
  });

  it.each([
    [
      'empty',
      '',
      /^Invalid shuttle plan at file:.*plan\.yaml: the plan is empty/,
    ],
    [
      'not a plan',
      'apiVersion: backstage.io/v1alpha1\nkind: Component\n',
      /unknown top-level keys 'apiVersion', 'kind'; a shuttle plan allows only/,
    ],
  ])(
    'reports an %s plan.yaml as a processing error',
    async (_w, data, error) => {
      const location: LocationSpec = {
        type: 'file',
        target: path.join(dir, 'plan.yaml'),
      };
      const results = await collect(fakeGithub({}), location, data);
      expect(results).toEqual([
        expect.objectContaining({
          type: 'error',
          location,
          error: expect.objectContaining({
            name: 'InputError',
            message: expect.stringMatching(error),
          }),
        }),
      ]);
    },
  );

  it('looks for a Dockerfile only when neither plan nor vars give the type', async () => {
    const read: string[] = [];
    const reader = fakeGithub({ Dockerfile: 'FROM scratch\n' });
    const readUrl = reader.readUrl;
    reader.readUrl = async (url: string) => {
      read.push(url.replace(/^.*\/master\//, ''));
      return readUrl(url);
    };
    const location: LocationSpec = {
      type: 'url',
      target: 'https://github.com/lunarway/payments/blob/master/shuttle.yaml',
    };
    const [unknown] = await collect(reader, location, shuttle);
    expect((unknown as any).entity.spec.type).toBe('service');
    expect(read).toContain('Dockerfile');
    read.length = 0;
    await collect(
      reader,
      location,
      'plan: git://git@github.com:lunarway/lw-shuttle-go-lib-plan.git\nvars: {pkg: payments, squad: juno}\n',
    );
    expect(read).not.toContain('Dockerfile');
  });

  describe('against the catalog', () => {
    const parse = async (
      holders: Record<string, { locationKey?: string; orphan: boolean }>,
      unknownOwner: 'annotate' | 'error',
    ) => {
      const parser = createShuttleParser({
        config: { ...config, unknownOwner },
        reader: fakeGithub({}),
        integrations,
        logger: mockServices.logger.mock(),
        catalogState: {
          holders: async refs =>
            new Map(
              refs.filter(r => holders[r]).map(r => [r, holders[r]] as const),
            ),
        },
      });
      const results: CatalogProcessorResult[] = [];
      for await (const r of parser({
        data: Buffer.from(shuttle),
        location: fileLocation(),
      })) {
        results.push(r);
      }
      return results;
    };

    it('rejects an unknown owner when configured to', async () => {
      const [result] = await parse({}, 'error');
      expect(result).toMatchObject({
        type: 'error',
        error: {
          message: expect.stringMatching(
            /: owner squad-juno is not a known squad: there is no group:default\/squad-juno in the catalog$/,
          ),
        },
      });
    });

    it('marks an unknown owner by default and not a known one', async () => {
      const [marked] = await parse({}, 'annotate');
      expect((marked as any).entity.metadata.annotations).toMatchObject({
        'lunar.app/unknown-owner': 'group:default/squad-juno',
      });
      const [known] = await parse(
        { 'group:default/squad-juno': { orphan: false } },
        'annotate',
      );
      expect((known as any).entity.metadata.annotations).not.toHaveProperty(
        'lunar.app/unknown-owner',
      );
    });

    it('says when the name is held by an orphan', async () => {
      const [result] = await parse(
        {
          'group:default/squad-juno': { orphan: false },
          'component:default/payments': {
            locationKey:
              'url:https://github.com/old/payments/blob/main/shuttle.yaml',
            orphan: true,
          },
        },
        'annotate',
      );
      expect(result).toMatchObject({
        type: 'error',
        error: {
          message: expect.stringContaining(
            'component:default/payments is still held by url:https://github.com/old/payments/blob/main/shuttle.yaml, which no longer declares it',
          ),
        },
      });
    });

    it('emits as usual when this location holds the name', async () => {
      const results = await parse(
        {
          'group:default/squad-juno': { orphan: false },
          'component:default/payments': {
            locationKey: `file:${fileLocation().target}`,
            orphan: false,
          },
        },
        'annotate',
      );
      expect(names(results)).toEqual(['Component:payments']);
    });
  });
});
