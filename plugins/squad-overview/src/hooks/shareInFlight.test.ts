import { shareInFlight } from './shareInFlight';

describe('shareInFlight', () => {
  it('shares a request on its way and asks anew once it settled', async () => {
    const api = {};
    let calls = 0;
    let release: (v: number) => void = () => {};
    const load = () => {
      calls++;
      return new Promise<number>(r => {
        release = r;
      });
    };
    const a = shareInFlight(api, 'overview', load);
    const b = shareInFlight(api, 'overview', load);
    // Another key, or another API, is another request.
    const other = shareInFlight(api, 'environments', async () => 7);
    const otherApi = shareInFlight({}, 'overview', async () => 8);
    expect(calls).toBe(1);
    release(42);
    await expect(Promise.all([a, b, other, otherApi])).resolves.toEqual([
      42, 42, 7, 8,
    ]);
    const c = shareInFlight(api, 'overview', load);
    expect(calls).toBe(2);
    release(43);
    await expect(c).resolves.toBe(43);
  });

  it('shares a failure too, and retries after it', async () => {
    const api = {};
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error('down'));
    };
    const a = shareInFlight(api, 'k', failing);
    const b = shareInFlight(api, 'k', failing);
    await expect(a).rejects.toThrow('down');
    await expect(b).rejects.toThrow('down');
    expect(calls).toBe(1);
    await expect(shareInFlight(api, 'k', failing)).rejects.toThrow('down');
    expect(calls).toBe(2);
  });
});
