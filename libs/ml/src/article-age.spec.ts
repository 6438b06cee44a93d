import { ageBucket, ageBucketCount, ageBucketsAt } from './article-age';

const HOUR = 3_600_000;

describe('ageBucket', () => {
  it('doubles from one hour: under 1 h, [1, 2), [2, 4) … [512, 1024), older; unknown last', () => {
    expect(ageBucket(0)).toBe(0);
    expect(ageBucket(HOUR - 1)).toBe(0);
    expect(ageBucket(HOUR)).toBe(1);
    expect(ageBucket(2 * HOUR - 1)).toBe(1);
    expect(ageBucket(2 * HOUR)).toBe(2);
    expect(ageBucket(30 * HOUR)).toBe(5);
    expect(ageBucket(1023 * HOUR)).toBe(10);
    expect(ageBucket(1024 * HOUR)).toBe(11);
    expect(ageBucket(1e6 * HOUR)).toBe(11);
    expect(ageBucket(Number.NaN)).toBe(ageBucketCount - 1);
    // Not published yet when ranked: brand new, as it will be on arrival.
    expect(ageBucket(-5 * HOUR)).toBe(0);
  });

  it('buckets every article as of one moment', () => {
    const at = Date.parse('2026-12-05T12:00:00Z');
    expect(Array.from(ageBucketsAt(at, [at, at - 3 * HOUR, Number.NaN, at + HOUR]))).toEqual([
      0,
      2,
      ageBucketCount - 1,
      0,
    ]);
  });
});
