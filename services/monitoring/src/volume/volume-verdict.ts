/** A volume against its baseline: the median of the same hours of previous days that had data. */
export interface VolumeVerdict {
  current: number;
  /** Null when no previous day covers the same hours. */
  expected: number | null;
  baselineDays: number;
  ratio: number | null;
  state: 'normal' | 'drop' | 'spike' | 'no-baseline';
}

export function volumeVerdict(
  current: number,
  baselines: readonly number[],
  thresholds: { dropRatio: number; spikeRatio: number },
): VolumeVerdict {
  if (baselines.length === 0)
    return { current, expected: null, baselineDays: 0, ratio: null, state: 'no-baseline' };
  const sorted = [...baselines].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const expected = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  if (expected === 0) {
    const state = current > 0 ? 'spike' : 'normal';
    return { current, expected, baselineDays: baselines.length, ratio: null, state };
  }
  const ratio = current / expected;
  const state = ratio < thresholds.dropRatio ? 'drop' : ratio > thresholds.spikeRatio ? 'spike' : 'normal';
  return { current, expected, baselineDays: baselines.length, ratio: Math.round(ratio * 1000) / 1000, state };
}
