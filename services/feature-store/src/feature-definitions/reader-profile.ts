/** Feature values are rounded so that they serialise identically wherever they are computed. */
export function roundFeature(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * The dwell-weighted category mix: each category's share of the reader's dwell seconds, keys
 * sorted. Empty for a reader who has not read anything with dwell yet.
 */
export function categoryMix(categoryDwell: Record<string, number>): Record<string, number> {
  const total = Object.values(categoryDwell).reduce((sum, d) => sum + d, 0);
  const mix: Record<string, number> = {};
  if (total <= 0) return mix;
  for (const category of Object.keys(categoryDwell).sort()) {
    mix[category] = roundFeature(categoryDwell[category] / total);
  }
  return mix;
}
