import { featureSchema, popularityWindows } from '@newsroom/contracts';

export type PopularityWindow = (typeof popularityWindows)[number];
export type WindowValues = Record<PopularityWindow, number>;

export const windowMs: Record<PopularityWindow, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};
const bucketMs = featureSchema.popularityBucketMs;

/** The start of the bucket an instant (epoch ms) falls in. */
export function bucketOf(at: number): number {
  return Math.floor(at / bucketMs) * bucketMs;
}

/**
 * The first bucket a window ending at `at` covers. A window is a whole number of buckets, the last
 * being the one `at` falls in: online (SQL over `article_activity`) and offline (dataset replay)
 * compute exactly the same values from the same reads.
 */
export function firstBucketOfWindow(at: number, window: PopularityWindow): number {
  return bucketOf(at) - windowMs[window] + bucketMs;
}

/**
 * One article's reads and dwell over the windows, for a replay in time order: buckets append at the
 * end and leave each window from the front, so each step costs O(1) amortised.
 */
export class SlidingPopularity {
  private readonly buckets: number[] = [];
  private readonly reads: number[] = [];
  private readonly dwell: number[] = [];
  private readonly first: Record<PopularityWindow, number> = { '1h': 0, '24h': 0, '7d': 0 };
  private readonly readSums: WindowValues = { '1h': 0, '24h': 0, '7d': 0 };
  private readonly dwellSums: WindowValues = { '1h': 0, '24h': 0, '7d': 0 };

  /** Adds a read at `at` (not earlier than any read added before). */
  add(at: number, dwellSeconds: number): void {
    const bucket = bucketOf(at);
    const last = this.buckets.length - 1;
    if (last >= 0 && this.buckets[last] === bucket) {
      this.reads[last] += 1;
      this.dwell[last] += dwellSeconds;
    } else {
      this.buckets.push(bucket);
      this.reads.push(1);
      this.dwell.push(dwellSeconds);
    }
    for (const w of popularityWindows) {
      this.readSums[w] += 1;
      this.dwellSums[w] += dwellSeconds;
    }
  }

  /** The window values as of `at` (not earlier than any previous call). */
  at(at: number): { reads: WindowValues; dwellSeconds: WindowValues } {
    for (const w of popularityWindows) {
      const from = firstBucketOfWindow(at, w);
      while (this.first[w] < this.buckets.length && this.buckets[this.first[w]] < from) {
        this.readSums[w] -= this.reads[this.first[w]];
        this.dwellSums[w] -= this.dwell[this.first[w]];
        this.first[w] += 1;
      }
    }
    return { reads: { ...this.readSums }, dwellSeconds: { ...this.dwellSums } };
  }
}
