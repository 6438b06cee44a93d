const HOUR_MS = 3_600_000;

/**
 * An article's age at the moment a reader reads it (or a list is ranked for them), in doubling
 * buckets: under 1 hour, then [1, 2), [2, 4) … [512, 1024) hours, then 1024 hours and more; the
 * last bucket stands for an unknown publication time. News decays within hours to days, so the
 * buckets are finest where interest changes fastest.
 */
export const ageBucketCount = 13;
const unknownAge = ageBucketCount - 1;
const oldest = ageBucketCount - 2;

/** The bucket of an age in milliseconds; an article not published yet counts as brand new. */
export function ageBucket(ageMs: number): number {
  if (Number.isNaN(ageMs)) return unknownAge;
  const hours = ageMs / HOUR_MS;
  if (hours < 1) return 0;
  // 1 + ⌊log2 hours⌋ from the bit length of ⌊hours⌋ (training buckets 262,144 pairs a batch).
  return hours >= 1024 ? oldest : 32 - Math.clz32(hours);
}

/** Each article's age bucket as of `at` (epoch ms), from their publication times. */
export function ageBucketsAt(at: number, publishedAt: ArrayLike<number>): Int32Array {
  const buckets = new Int32Array(publishedAt.length);
  for (let i = 0; i < publishedAt.length; i++) buckets[i] = ageBucket(at - publishedAt[i]);
  return buckets;
}
