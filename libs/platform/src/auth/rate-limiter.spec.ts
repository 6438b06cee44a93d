import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst of twice the rate, then asks to wait, then refills', () => {
    let now = 0;
    const limiter = new RateLimiter(5, () => now);
    const results = Array.from({ length: 11 }, () => limiter.take('producer-a'));
    expect(results.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(results[10]).toBe(1);
    now += 1_000;
    expect(Array.from({ length: 5 }, () => limiter.take('producer-a'))).toEqual(Array(5).fill(0));
    expect(limiter.take('producer-a')).toBeGreaterThan(0);
  });

  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter(1, () => 0);
    limiter.take('a');
    limiter.take('a');
    expect(limiter.take('a')).toBeGreaterThan(0);
    expect(limiter.take('b')).toBe(0);
  });
});
