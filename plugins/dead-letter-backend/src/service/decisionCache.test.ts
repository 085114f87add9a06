import { DecisionCache } from './decisionCache';

describe('DecisionCache', () => {
  it('asks once per key within the TTL, again after it', async () => {
    let now = 0;
    const cache = new DecisionCache<string>(10_000, () => now);
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
    const cache = new DecisionCache<string>(10_000, () => 0);
    await expect(
      cache.get('u', async () => {
        throw new Error('permission backend unreachable');
      }),
    ).rejects.toThrow('unreachable');
    expect(await cache.get('u', async () => 'ok')).toBe('ok');
  });

  it('stays bounded', async () => {
    const cache = new DecisionCache<number>(10_000, () => 0, 2);
    let loads = 0;
    const load = async () => ++loads;
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load); // full: starts over
    await cache.get('a', load);
    expect(loads).toBe(4);
  });
});
