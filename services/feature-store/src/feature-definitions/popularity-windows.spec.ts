import { SlidingPopularity, bucketOf, firstBucketOfWindow, windowMs } from './popularity-windows';

const minute = 60_000;
const t0 = Date.parse('2026-11-20T00:00:00Z');

describe('popularity windows', () => {
  it('a window is whole 5-minute buckets ending with the one the instant falls in', () => {
    const at = t0 + 62 * minute; // in the bucket starting at 01:00
    expect(bucketOf(at)).toBe(t0 + 60 * minute);
    expect(firstBucketOfWindow(at, '1h')).toBe(t0 + 5 * minute);
    expect(bucketOf(at) - firstBucketOfWindow(at, '7d')).toBe(windowMs['7d'] - 5 * minute);
  });

  it('counts reads and dwell per window as time moves on, dropping what left each window', () => {
    const p = new SlidingPopularity();
    p.add(t0, 10);
    p.add(t0 + 1 * minute, 20);
    expect(p.at(t0 + 2 * minute)).toEqual({
      reads: { '1h': 2, '24h': 2, '7d': 2 },
      dwellSeconds: { '1h': 30, '24h': 30, '7d': 30 },
    });
    p.add(t0 + 30 * minute, 5);
    // 65 minutes later, the first bucket has left the 1-hour window but not the others.
    expect(p.at(t0 + 65 * minute).reads).toEqual({ '1h': 1, '24h': 3, '7d': 3 });
    expect(p.at(t0 + 2 * 86_400_000).reads).toEqual({ '1h': 0, '24h': 0, '7d': 3 });
    expect(p.at(t0 + 8 * 86_400_000)).toEqual({
      reads: { '1h': 0, '24h': 0, '7d': 0 },
      dwellSeconds: { '1h': 0, '24h': 0, '7d': 0 },
    });
  });
});
