import { CacheService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonValue } from '@backstage/types';
import { ReleaseManagerSource } from '../sources/ReleaseManagerClient';
import { GitFacts, GitSource, SourceError } from '../sources/types';
import { FAILURE_TTL_MS, ReleaseStatusService } from './ReleaseStatusService';

const TTL_MS = 300_000;

/** An in-memory cache on a clock the test moves, recording each TTL. */
class FakeCache implements CacheService {
  now = 0;
  readonly ttls: number[] = [];
  private readonly entries = new Map<
    string,
    { value: JsonValue; expiresAt: number }
  >();

  async get<T extends JsonValue>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > this.now ? (entry.value as T) : undefined;
  }
  async set(key: string, value: JsonValue, options?: { ttl?: unknown }) {
    const ttl = options?.ttl as number;
    this.ttls.push(ttl);
    this.entries.set(key, { value, expiresAt: this.now + ttl });
  }
  async delete(key: string) {
    this.entries.delete(key);
  }
  withOptions(): CacheService {
    return this;
  }
}

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
  head: {
    sha: 'a'.repeat(40),
    author: 'Ada Holm',
    message: 'Change',
    committedAt: new Date(0).toISOString(),
    url: null,
  },
  environments: new Map(),
};

/** release-manager answering `answers` in turn (the last one repeats). */
function releaseManager(...answers: Array<'ok' | 'unknown' | Error>) {
  const calls: string[] = [];
  const source: ReleaseManagerSource = {
    facts: async service => {
      calls.push(service);
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer === 'ok'
        ? { environments: new Map(), policies: [] }
        : undefined;
    },
  };
  return { source, calls };
}

function git(read: GitSource['read']): GitSource {
  return { kind: 'local', handles: () => true, read };
}

function makeService(options: {
  cache: FakeCache;
  releaseManager?: ReleaseManagerSource;
  gitSources?: GitSource[];
  ttlMs?: number;
}) {
  return new ReleaseStatusService({
    environments: ['dev', 'staging', 'prod'],
    releaseManager: options.releaseManager,
    gitSources: options.gitSources ?? [git(async () => gitFacts)],
    cache: options.cache,
    ttlMs: options.ttlMs ?? TTL_MS,
    logger: mockServices.logger.mock(),
  });
}

describe('ReleaseStatusService caching', () => {
  it('keeps a failed source only briefly, then the answer for the TTL', async () => {
    const cache = new FakeCache();
    const rm = releaseManager(
      new SourceError('release-manager answered 502', 'unreachable'),
      'ok',
    );
    const s = makeService({ cache, releaseManager: rm.source });

    const failed = await s.status(entity);
    expect(failed.sources[0].state).toBe('unreachable');
    expect(cache.ttls).toEqual([FAILURE_TTL_MS]);
    expect(FAILURE_TTL_MS).toBe(30_000);

    // Within the short period the failure is served from the cache ...
    cache.now += FAILURE_TTL_MS - 1;
    expect((await s.status(entity)).sources[0].state).toBe('unreachable');
    expect(rm.calls).toHaveLength(1);
    // ... after it, release-manager is asked again, not 5 minutes later.
    cache.now += 2;
    expect((await s.status(entity)).sources[0].state).toBe('ok');
    expect(rm.calls).toHaveLength(2);
    expect(cache.ttls).toEqual([FAILURE_TTL_MS, TTL_MS]);

    // The answer stays for the whole TTL.
    cache.now += TTL_MS - 1;
    await s.status(entity);
    expect(rm.calls).toHaveLength(2);
  });

  it('caches a refused request (error) briefly too', async () => {
    const cache = new FakeCache();
    const s = makeService({
      cache,
      releaseManager: releaseManager('ok').source,
      gitSources: [
        git(async () => {
          throw new SourceError('GitHub answered 401', 'error');
        }),
      ],
    });
    expect((await s.status(entity)).sources[1].state).toBe('error');
    expect(cache.ttls).toEqual([FAILURE_TTL_MS]);
  });

  it('keeps answers for the TTL: ok, not configured and unknown', async () => {
    const cache = new FakeCache();
    // No release-manager configured; git does not know the repository.
    await makeService({
      cache,
      gitSources: [git(async () => undefined)],
    }).status(entity);
    // release-manager does not know the service; git answers.
    await makeService({
      cache,
      releaseManager: releaseManager('unknown').source,
    }).status({ ...entity, metadata: { ...entity.metadata, name: 'other' } });
    expect(cache.ttls).toEqual([TTL_MS, TTL_MS]);
  });

  it('never keeps a failure longer than a shorter configured TTL', async () => {
    const cache = new FakeCache();
    await makeService({
      cache,
      ttlMs: 10_000,
      releaseManager: releaseManager(new Error('ECONNREFUSED')).source,
    }).status(entity);
    expect(cache.ttls).toEqual([10_000]);
  });
});
