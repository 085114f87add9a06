import { TokenBucket, etaSeconds, rateAt } from './rate';

describe('redelivery rate', () => {
  const ramp = [
    { rate: 1, seconds: 30 },
    { rate: 10, seconds: 30 },
  ];

  it('follows the ramp, then the target', () => {
    expect(rateAt(0, 200, ramp)).toBe(1);
    expect(rateAt(29_999, 200, ramp)).toBe(1);
    expect(rateAt(30_000, 200, ramp)).toBe(10);
    expect(rateAt(60_000, 200, ramp)).toBe(200);
    expect(rateAt(5_000, null, null)).toBeNull();
  });

  it('estimates the time left through the ramp', () => {
    // 30 at 1/s, 300 at 10/s, then 670 at 200/s.
    expect(etaSeconds(1000, 0, 200, ramp)).toBeCloseTo(60 + 670 / 200);
    expect(etaSeconds(10, 0, 200, ramp)).toBe(10);
    expect(etaSeconds(400, 70_000, 200, ramp)).toBe(2);
  });

  it('paces to the rate without bursts after a pause in taking', () => {
    const bucket = new TokenBucket(0);
    let sent = 0;
    for (let t = 10; t <= 10_000; t += 10) sent += bucket.take(t, 200, 1000);
    expect(sent).toBeGreaterThanOrEqual(1990);
    expect(sent).toBeLessThanOrEqual(2000);
    // A 5 s stall saves up at most 0.5 s worth.
    expect(bucket.take(15_000, 200, 1000)).toBe(100);
  });

  it('publishes a step of a tenth of a second at a time, not one message per token', () => {
    const bucket = new TokenBucket(0);
    const steps: number[] = [];
    // Asked every millisecond, as a runner waking early would.
    for (let t = 1; t <= 1_000; t += 1) {
      const n = bucket.take(t, 1000, 10_000);
      if (n > 0) steps.push(n);
    }
    expect(steps).toEqual(Array(10).fill(100));
    // The last few messages of a job go without waiting for a whole step.
    const end = new TokenBucket(0);
    expect(end.waitMs(1000, 3)).toBe(3);
    expect(end.take(2, 1000, 3)).toBe(0);
    expect(end.take(3, 1000, 3)).toBe(3);
    // A slow rate still sends one at a time.
    const slow = new TokenBucket(0);
    expect(slow.waitMs(2, 100)).toBe(500);
    expect(slow.take(500, 2, 100)).toBe(1);
  });
});
