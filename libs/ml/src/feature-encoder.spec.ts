import { seededRandom } from './train';
import { ArticleContent, FeatureEncoder, ReaderProfile } from './feature-encoder';

/** The reader encoding as the README states it, written the plain way: a Map, sorted whole. */
function referenceBag(profile: ReaderProfile, historyReads: number, articleTokens: number, k: number) {
  const bag = new Map<number, number>();
  for (const read of profile.recent.slice(0, historyReads)) {
    if (!read.article) continue;
    const hashes = read.article.tokenHashes.slice(0, articleTokens);
    const weight = Math.log1p(read.dwellSeconds) / hashes.length;
    for (const hash of hashes) bag.set(hash, (bag.get(hash) ?? 0) + weight);
  }
  const top = [...bag].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k);
  const total = top.reduce((sum, [, w]) => sum + w, 0);
  return top.map(([hash, weight]) => [hash, Math.fround(weight / total)]);
}

describe('FeatureEncoder.readers', () => {
  const config = {
    articleTokens: 6,
    historyReads: 5,
    readerTokens: 8,
    categories: ['a', 'b'],
    publishers: [],
  };

  it("keeps each reader's heaviest tokens, heaviest first, ties to the lowest hash, weights summing to 1", () => {
    const random = seededRandom(7);
    const article = (): ArticleContent => ({
      // Few distinct hashes, so that reads share tokens and weights tie.
      tokenHashes: Array.from({ length: 1 + Math.floor(random() * 9) }, () => Math.floor(random() * 40)),
      category: 'a',
      publisher: 'p',
    });
    const profiles: ReaderProfile[] = Array.from({ length: 400 }, (_, r) => ({
      recent: Array.from({ length: r % 9 }, () => ({
        article: random() < 0.1 ? undefined : article(),
        // Equal dwells for some readers: equal weights, ordered by hash.
        dwellSeconds: r % 3 === 0 ? 30 : Math.floor(random() * 300),
      })),
      categoryMix: { a: 0.25, b: 0.5, gone: 0.25 },
    }));
    const encoder = new FeatureEncoder(config);
    const inputs = encoder.readers(profiles);
    const k = config.readerTokens;
    profiles.forEach((profile, i) => {
      const expected = referenceBag(profile, config.historyReads, config.articleTokens, k);
      const slots = Array.from({ length: expected.length }, (_, s) => [
        inputs.tokens[i * k + s],
        inputs.tokenWeights[i * k + s],
      ]);
      expect(slots).toEqual(expected);
      // Unused slots stay empty.
      expect(
        [...inputs.tokenWeights.subarray(i * k + expected.length, (i + 1) * k)].every((w) => w === 0),
      ).toBe(true);
      expect([...inputs.categoryMix.subarray(i * 3, i * 3 + 3)]).toEqual([0.25, 0.25, 0.5]);
    });
    // Some readers had more distinct tokens than slots: the selection was exercised.
    expect(
      profiles.some((p) => new Set(p.recent.flatMap((r) => r.article?.tokenHashes ?? [])).size > k),
    ).toBe(true);
  });

  it('weighs the tokens alike when no read has any dwell, instead of dividing by zero', () => {
    const encoder = new FeatureEncoder(config);
    const article = { tokenHashes: [5, 6, 7, 8], category: 'a', publisher: 'p' };
    const inputs = encoder.readers([{ recent: [{ article, dwellSeconds: 0 }], categoryMix: {} }]);
    expect([...inputs.tokenWeights.subarray(0, 4)]).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect([...inputs.tokens.subarray(0, 4)]).toEqual([5, 6, 7, 8]);
  });

  it('takes token hashes beyond any seen before, and a reader without reads', () => {
    const encoder = new FeatureEncoder(config);
    const far = { tokenHashes: [1_000_000, 3], category: 'b', publisher: 'p' };
    const inputs = encoder.readers([
      { recent: [{ article: far, dwellSeconds: 10 }], categoryMix: {} },
      { recent: [], categoryMix: { b: 1 } },
    ]);
    expect([...inputs.tokens.subarray(0, 2)].sort((x, y) => x - y)).toEqual([3, 1_000_000]);
    expect([...inputs.tokenWeights.subarray(0, 2)]).toEqual([0.5, 0.5]);
    expect([...inputs.tokenWeights.subarray(8, 16)].every((w) => w === 0)).toBe(true);
  });
});
