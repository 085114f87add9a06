import { stackHistogram } from './HourlyChart';

describe('stackHistogram', () => {
  it('places buckets in their hour and keeps the largest series', () => {
    const from = '2026-11-21T00:00:00.000Z';
    const buckets = [
      { hour: '2026-11-21T00', key: 'a', count: 5 },
      { hour: '2026-11-21T02', key: 'b', count: 1 },
      ...['c', 'd', 'e', 'f', 'g'].map(key => ({
        hour: '2026-11-21T02',
        key,
        count: 1,
      })),
      { hour: '2026-11-21T03', key: null, count: 2 },
    ];
    const result = stackHistogram({ from, hours: 4, buckets });
    expect(result.total).toBe(13);
    expect(result.series).toEqual(['a', '(no owner)', 'b', 'c', 'd', 'other']);
    expect(result.hours.map(h => h.total)).toEqual([5, 0, 6, 2]);
    expect(result.hours[2].counts.get('other')).toBe(3);
    expect(result.peak).toBe(6);
  });
});
