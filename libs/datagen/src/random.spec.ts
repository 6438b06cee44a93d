import { Rng, cumulative } from './random';

describe('Rng', () => {
  it('repeats for the same seed and labels, and differs otherwise', () => {
    const draw = (...seed: (string | number)[]) => {
      const rng = new Rng(...seed);
      return Array.from({ length: 5 }, () => rng.nextU32());
    };
    expect(draw(42, 'x')).toEqual(draw(42, 'x'));
    expect(draw(42, 'x')).not.toEqual(draw(43, 'x'));
    expect(draw(42, 'x')).not.toEqual(draw(42, 'y'));
  });

  it('draws from the documented distributions', () => {
    const rng = new Rng('distributions');
    const n = 20_000;
    const mean = (f: () => number) => Array.from({ length: n }, f).reduce((s, x) => s + x, 0) / n;
    expect(mean(() => rng.next())).toBeCloseTo(0.5, 1);
    expect(mean(() => rng.normal())).toBeCloseTo(0, 1);
    expect(mean(() => rng.gamma(0.3))).toBeCloseTo(0.3, 1);
    expect(mean(() => rng.gamma(4))).toBeCloseTo(4, 0);
    expect(mean(() => rng.poisson(3))).toBeCloseTo(3, 1);
    expect(mean(() => rng.lognormalWithMean(10, 0.5)) / 10).toBeCloseTo(1, 1);
    const d = rng.dirichlet([0.3, 0.3, 0.3, 0.3]);
    expect(d.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 10);
    const picks = [0, 0, 0];
    const cum = cumulative([1, 0, 3]);
    for (let i = 0; i < 4_000; i++) picks[rng.cumulativeIndex(cum)]++;
    expect(picks[1]).toBe(0);
    expect(picks[2] / picks[0]).toBeCloseTo(3, 0);
    for (let i = 0; i < 1_000; i++) {
      const k = rng.intBetween(10, 20);
      expect(k >= 10 && k <= 20 && Number.isInteger(k)).toBe(true);
    }
  });
});
