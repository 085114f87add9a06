import { PromiseCache } from './PromiseCache';

describe('PromiseCache', () => {
  it('asks once per key within the TTL, again after it', async () => {
    let now = 0;
    const cache = new PromiseCache<string>(10_000, { now: () => now });
    let loads = 0;
    const load = (v: string) => async () => {
      loads += 1;
      return v;
    };
    expect(await cache.get('user:default/mette', load('a'))).toBe('a');
    now = 9_999;
    expect(await cache.get('user:default/mette', load('b'))).toBe('a');
    expect(await cache.get('user:default/gustav', load('c'))).toBe('c');
    expect(loads).toBe(2);
    now = 10_000;
    expect(await cache.get('user:default/mette', load('d'))).toBe('d');
    expect(loads).toBe(3);
  });

  it('does not keep a failed lookup', async () => {
    const cache = new PromiseCache<string>(10_000, { now: () => 0 });
    await expect(
      cache.get('u', async () => {
        throw new Error('permission backend unreachable');
      }),
    ).rejects.toThrow('unreachable');
    expect(await cache.get('u', async () => 'ok')).toBe('ok');
  });

  it('stays bounded', async () => {
    const cache = new PromiseCache<number>(10_000, {
      now: () => 0,
      maxEntries: 2,
    });
    let loads = 0;
    const load = async () => ++loads;
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load); // full: starts over
    await cache.get('a', load);
    expect(loads).toBe(4);
  });

  it('keeps an entry until its own expiry when that is sooner', async () => {
    let now = 0;
    const cache = new PromiseCache<string>(60_000, { now: () => now });
    expect(await cache.get('token', async () => 'a', 5_000)).toBe('a');
    now = 4_999;
    expect(await cache.get('token', async () => 'b')).toBe('a');
    now = 5_000;
    expect(await cache.get('token', async () => 'c')).toBe('c');
  });

  it('shares one lookup between callers asking at the same time', async () => {
    const cache = new PromiseCache<number>(10_000);
    let loads = 0;
    const load = () =>
      new Promise<number>(resolve => setTimeout(() => resolve(++loads), 10));
    const [a, b] = await Promise.all([
      cache.get('k', load),
      cache.get('k', load),
    ]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
  });
});
