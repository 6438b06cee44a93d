import {
  auc,
  catalogueCoverage,
  freshShare,
  mean,
  ndcgAt,
  recallAt,
  reciprocalRank,
} from './ranking-metrics';

const judged = (ranked: string[], dwell: Record<string, number>) => ({
  ranked,
  dwell: new Map(Object.entries(dwell)),
});

describe('ranking metrics', () => {
  it('NDCG@k is 1 for the ideal order, lower when the long read ranks below the short one', () => {
    expect(ndcgAt(10, judged(['long', 'short', 'x'], { long: 120, short: 10 }))).toBe(1);
    // DCG = 10/log2(2) + 120/log2(3); ideal = 120/log2(2) + 10/log2(3)
    const expected = (10 + 120 / Math.log2(3)) / (120 + 10 / Math.log2(3));
    expect(ndcgAt(10, judged(['short', 'long'], { long: 120, short: 10 }))).toBeCloseTo(expected, 12);
    expect(ndcgAt(1, judged(['x', 'long'], { long: 120 }))).toBe(0);
    expect(ndcgAt(10, judged(['x'], {}))).toBe(0);
  });

  it('recall@k counts hits out of what could fit; MRR is 1 / rank of the first hit', () => {
    expect(recallAt(2, judged(['a', 'x', 'b'], { a: 1, b: 1, c: 1 }))).toBe(0.5);
    expect(recallAt(3, judged(['a', 'x', 'b'], { a: 1, b: 1 }))).toBe(1);
    expect(reciprocalRank(judged(['x', 'y', 'b'], { b: 5 }))).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRank(judged(['x'], { b: 5 }))).toBe(0);
  });

  it('AUC is the chance a read article outscores an unread one, ties counting half', () => {
    expect(auc([3, 4], [1, 2])).toBe(1);
    expect(auc([1], [2])).toBe(0);
    expect(auc([2], [2])).toBe(0.5);
    expect(auc([3, 1], [2])).toBe(0.5);
    expect(auc([], [1])).toBeNaN();
  });

  it('coverage and fresh share', () => {
    expect(
      catalogueCoverage(
        2,
        [
          ['a', 'b', 'c'],
          ['a', 'd'],
        ],
        10,
      ),
    ).toBe(0.3);
    const ages: Record<string, number> = { a: 1_000, b: 10 * 3_600_000 };
    expect(freshShare(10, ['a', 'b'], (id) => ages[id], 3_600_000)).toBe(0.5);
    expect(mean([1, NaN, 3])).toBe(2);
  });
});
