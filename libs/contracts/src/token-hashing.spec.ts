import { featureSchema } from './events';
import { articleTokenHashes } from './token-hashing';

describe('articleTokenHashes', () => {
  it('hashes words case-insensitively, drops stop words and repeats, title first', () => {
    const hashes = articleTokenHashes('Rains return', 'The RAINS return to the Sahel');
    expect(hashes).toHaveLength(3);
    expect(hashes.slice(0, 2)).toEqual(articleTokenHashes('rains RETURN'));
    expect(hashes[2]).toBe(articleTokenHashes('sahel')[0]);
    expect(hashes.every((h) => Number.isInteger(h) && h >= 0 && h < featureSchema.tokenBuckets)).toBe(true);
  });

  it('is stable: the same text gives the same hashes on every platform', () => {
    // Pinned values (FNV-1a computed independently): changing them changes the feature schema version.
    expect(articleTokenHashes('Election results')).toEqual([9754, 19189]);
  });

  it('keeps at most maxTokens distinct tokens', () => {
    const body = Array.from({ length: 1_000 }, (_, i) => `word${i}`).join(' ');
    expect(articleTokenHashes('title', body).length).toBeLessThanOrEqual(featureSchema.maxTokens);
  });

  it('handles accents and non-Latin scripts', () => {
    expect(articleTokenHashes('Économie à São Paulo')).toEqual(articleTokenHashes('économie são paulo'));
    expect(articleTokenHashes('انتخابات')).toHaveLength(1);
  });
});
