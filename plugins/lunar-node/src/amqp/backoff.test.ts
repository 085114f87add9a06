import { backoffDelay, sleepBackoff } from './backoff';

describe('backoffDelay', () => {
  it('starts at half a second and doubles per attempt', () => {
    expect([0, 1, 2, 3, 4, 5].map(backoffDelay)).toEqual([
      500, 1000, 2000, 4000, 8000, 16000,
    ]);
  });

  it('never waits longer than 30 seconds, however many attempts failed', () => {
    expect(backoffDelay(6)).toBe(30_000);
    expect(backoffDelay(7)).toBe(30_000);
    expect(backoffDelay(1_000)).toBe(30_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER)).toBe(30_000);
  });

  it('treats a negative or fractional attempt as the nearest attempt below it, and at least the first', () => {
    expect(backoffDelay(-3)).toBe(500);
    expect(backoffDelay(2.7)).toBe(2000);
  });

  it('is what both former formulas gave for every attempt they reached', () => {
    // The dead-letter consumer capped the exponent at 6, the release-event
    // consumer did not; both capped the delay at 30 s.
    for (let attempt = 0; attempt < 100; attempt++) {
      expect(backoffDelay(attempt)).toBe(
        Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)),
      );
      expect(backoffDelay(attempt)).toBe(Math.min(30_000, 500 * 2 ** attempt));
    }
  });
});

describe('sleepBackoff', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves after the delay of its attempt, not before', async () => {
    jest.useFakeTimers();
    let done = false;
    const waiting = sleepBackoff(2).then(() => {
      done = true;
    });
    await jest.advanceTimersByTimeAsync(1999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });
});
