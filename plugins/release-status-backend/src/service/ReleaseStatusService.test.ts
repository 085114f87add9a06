import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ReleaseManagerSource } from '../sources/ReleaseManagerClient';
import { GitFacts, GitSource, SourceError } from '../sources/types';
import { ReleaseStatusService } from './ReleaseStatusService';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'card-clearing',
    namespace: 'default',
    annotations: { 'lunar.app/release-manager-service': 'card-clearing' },
  },
  spec: { type: 'service' },
};

const gitFacts: GitFacts = {
  defaultBranch: 'master',
  webUrl: null,
  head: {
    sha: 'a'.repeat(40),
    author: 'Ada Holm',
    message: 'Change',
    committedAt: new Date(0).toISOString(),
    url: null,
  },
  environments: new Map(),
};

function makeService(options: {
  releaseManager?: ReleaseManagerSource;
  git?: Partial<GitSource>;
}) {
  return new ReleaseStatusService({
    environments: ['dev', 'staging', 'prod'],
    releaseManager: options.releaseManager,
    gitSources: [
      {
        kind: 'local',
        handles: () => true,
        read: async () => gitFacts,
        ...options.git,
      },
    ],
    logger: mockServices.logger.mock(),
  });
}

describe('ReleaseStatusService', () => {
  it('reports a failing source as a state, never a throw', async () => {
    const status = await makeService({
      releaseManager: {
        facts: async () => {
          throw new SourceError('release-manager answered 502', 'unreachable');
        },
      },
      git: {
        read: async () => {
          throw new SourceError('GitHub answered 401', 'error');
        },
      },
    }).compute(entity);
    expect(status.sources).toEqual([
      {
        source: 'release-manager',
        state: 'unreachable',
        message: 'release-manager answered 502',
      },
      { source: 'git', state: 'error', message: 'GitHub answered 401' },
    ]);
  });

  it("links a release's changes since the one before it on GitHub, not for local git", async () => {
    const sha = (c: string) => c.repeat(40);
    const commit = {
      sha: sha('a'),
      author: 'Ada Holm',
      message: 'Change',
      committedAt: new Date(0).toISOString(),
      url: null,
    };
    const prod = (previousSha: string | null) => ({
      artifactId: 'master-aaaaaaaaaa-67e9d69164',
      sha: sha('a'),
      author: null,
      message: null,
      committedAt: null,
      buildUrl: null,
      releasedAt: '2026-12-07T14:02:00.000Z',
      releasedBy: 'Ada Holm',
      intent: null,
      previous: {
        sha: previousSha,
        artifactId: 'master-bbbbbbbbbb-67e9d69164',
        releasedAt: '2026-12-06T09:00:00.000Z',
      },
    });
    const compute = (webUrl: string | null, previousSha: string | null) =>
      makeService({
        releaseManager: {
          facts: async () => ({
            environments: new Map([['prod', prod(previousSha)]]),
            policies: [],
          }),
        },
        git: {
          read: async () => ({
            ...gitFacts,
            webUrl,
            environments: new Map([
              [
                'prod',
                {
                  commit,
                  drift: { commitsBehind: 0, oldestUnreleasedAt: null },
                },
              ],
            ]),
          }),
        },
      })
        .compute(entity)
        .then(s => s.environments.find(e => e.environment === 'prod')!);

    const github = await compute(
      'https://github.com/lunarway/card-clearing',
      sha('b'),
    );
    expect(github.previous).toEqual(prod(sha('b')).previous);
    expect(github.compareUrl).toBe(
      `https://github.com/lunarway/card-clearing/compare/${sha('b')}...${sha(
        'a',
      )}`,
    );
    // Local git has no web page; an unnamed commit has nothing to compare.
    expect((await compute(null, sha('b'))).compareUrl).toBeNull();
    expect(
      (await compute('https://github.com/lunarway/card-clearing', null))
        .compareUrl,
    ).toBeNull();
  });

  it('fingerprints what the sources look like, cheaply', async () => {
    let rmVersion = 'dev=a';
    let gitVersion = 'master=1';
    const rmFacts = jest.fn(async () => undefined);
    const gitRead = jest.fn(async () => gitFacts);
    const service = makeService({
      releaseManager: { facts: rmFacts, version: async () => rmVersion },
      git: { read: gitRead, version: async () => gitVersion },
    });
    const first = await service.fingerprint(entity);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await service.fingerprint(entity)).toBe(first);
    // A new release, a new commit or tag: another fingerprint.
    rmVersion = 'dev=b';
    const released = await service.fingerprint(entity);
    expect(released).not.toBe(first);
    gitVersion = 'master=2';
    expect(await service.fingerprint(entity)).not.toBe(released);
    // Another owner too: it is part of the status.
    expect(
      await service.fingerprint({
        ...entity,
        relations: [{ type: 'ownedBy', targetRef: 'group:default/x' }],
      }),
    ).not.toBe(await service.fingerprint(entity));
    // Fingerprints never read the full facts.
    expect(rmFacts).not.toHaveBeenCalled();
    expect(gitRead).not.toHaveBeenCalled();
  });

  it('has no fingerprint when a source cannot say', async () => {
    // No cheap check.
    expect(
      await makeService({
        releaseManager: { facts: async () => undefined },
      }).fingerprint(entity),
    ).toBeUndefined();
    // A failing check.
    expect(
      await makeService({
        releaseManager: {
          facts: async () => undefined,
          version: async () => {
            throw new SourceError('down', 'unreachable');
          },
        },
        git: { version: async () => 'v' },
      }).fingerprint(entity),
    ).toBeUndefined();
    // Without release-manager, git's version is enough.
    expect(
      await makeService({ git: { version: async () => 'v' } }).fingerprint(
        entity,
      ),
    ).toBeDefined();
  });
});
