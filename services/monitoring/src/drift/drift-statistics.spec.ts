import { Bins, histogramMoments, jensenShannonDistance, normalisedWasserstein } from './drift-statistics';

const counts = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('jensenShannonDistance', () => {
  it('is 0 for the same mix whatever the volume, and symmetric', () => {
    expect(jensenShannonDistance(counts({ a: 10, b: 30 }), counts({ a: 100, b: 300 }))).toBeCloseTo(0, 6);
    const p = counts({ a: 5, b: 5 });
    const q = counts({ a: 9, b: 1 });
    expect(jensenShannonDistance(p, q)).toBeCloseTo(jensenShannonDistance(q, p), 12);
  });

  it('matches the textbook value (natural log) and is bounded by √ln 2 for disjoint mixes', () => {
    // m = (0.7, 0.3): KL(p‖m) = 0.08718, KL(q‖m) = 0.11632, JS = 0.10175, distance = 0.31899.
    expect(jensenShannonDistance(counts({ a: 5, b: 5 }), counts({ a: 9, b: 1 }))).toBeCloseTo(0.319, 3);
    const disjoint = jensenShannonDistance(counts({ a: 1 }), counts({ b: 1 }));
    expect(disjoint).toBeLessThanOrEqual(Math.sqrt(Math.LN2));
    expect(disjoint).toBeGreaterThan(0.82);
  });
});

describe('Bins', () => {
  const bins = new Bins([0, 10, 20, 40]);

  it('places values by lower edge, the last bin open', () => {
    expect([-1, 0, 9.99, 10, 39, 40, 1e9].map((v) => bins.indexOf(v))).toEqual([0, 0, 0, 1, 2, 3, 3]);
    expect(bins.centres).toEqual([5, 15, 30, 50]);
  });

  it('refuses edges that do not increase', () => {
    expect(() => new Bins([0, 5, 5])).toThrow('bin edges must increase');
  });
});

describe('normalisedWasserstein', () => {
  const bins = new Bins([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

  it('is the shift in reference standard deviations when all mass moves', () => {
    // Reference at 0.5 and 1.5 (std 0.5); current one bin up: W1 = 1, normalised 2.
    const reference = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const current = [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(normalisedWasserstein(bins, reference, current)).toBeCloseTo(2, 10);
    expect(normalisedWasserstein(bins, reference, reference)).toBe(0);
  });

  it('equals the mean gap between sorted samples of the same size (the definition)', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const sample = (skew: number) =>
      Array.from({ length: 400 }, () => Math.min(10, Math.floor(random() ** skew * 11)));
    const a = sample(1).sort((x, y) => x - y);
    const b = sample(2).sort((x, y) => x - y);
    const histogram = (values: number[]) => {
      const h = new Array<number>(11).fill(0);
      for (const v of values) h[v]++;
      return h;
    };
    const centre = (i: number) => bins.centres[i];
    const direct = a.reduce((sum, v, i) => sum + Math.abs(centre(v) - centre(b[i])), 0) / a.length;
    const { std } = histogramMoments(bins, histogram(a));
    expect(normalisedWasserstein(bins, histogram(a), histogram(b))).toBeCloseTo(direct / std, 10);
  });

  it('is NaN without data on a side, and Infinity against a reference without spread', () => {
    const empty = new Array<number>(11).fill(0);
    const one = [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(normalisedWasserstein(bins, empty, one)).toBeNaN();
    expect(normalisedWasserstein(bins, one, [0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBe(Infinity);
  });
});
