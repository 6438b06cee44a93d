import { featureSchema } from './events';

// Words too common to say anything about an article; a short list is enough with hashing.
const stopWords = new Set(
  'a an and are as at be but by for from has have in into is it its of on or that the their this to was were will with'.split(
    ' ',
  ),
);

/** FNV-1a, 32 bits: fast, stable across platforms and versions, and good enough for bucketing. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The article's text as hashed tokens: lower-cased words of the title, then of the body, each
 * hashed into `featureSchema.tokenBuckets` buckets, distinct, in order of first appearance, at most
 * `featureSchema.maxTokens`. A brand-new article is described without any vocabulary to update.
 */
export function articleTokenHashes(title: string, body = ''): number[] {
  const hashes = new Set<number>();
  for (const text of [title, body]) {
    for (const [word] of text
      .normalize('NFKC')
      .toLowerCase()
      .matchAll(/[\p{L}\p{N}]+/gu)) {
      if (word.length < 2 || stopWords.has(word)) continue;
      hashes.add(fnv1a(word) % featureSchema.tokenBuckets);
      if (hashes.size === featureSchema.maxTokens) return [...hashes];
    }
  }
  return [...hashes];
}
