import {
  isDeadLetterAlertFloor,
  isDeadLetterAlertMultiplier,
  isDeadLetterAlertTime,
} from './deadLetterAlerts';

describe('dead-letter alert settings', () => {
  it('takes a whole, non-negative floor', () => {
    expect([0, 50].map(isDeadLetterAlertFloor)).toEqual([true, true]);
    expect([-1, 2.5, NaN, Infinity].map(isDeadLetterAlertFloor)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('takes a finite multiplier of at least 1', () => {
    expect([1, 2.5].map(isDeadLetterAlertMultiplier)).toEqual([true, true]);
    expect([0.5, NaN, Infinity].map(isDeadLetterAlertMultiplier)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('takes a time', () => {
    expect(isDeadLetterAlertTime('2026-12-24T08:00:00Z')).toBe(true);
    expect(isDeadLetterAlertTime('tomorrow')).toBe(false);
  });
});
