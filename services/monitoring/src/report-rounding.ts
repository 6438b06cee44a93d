/** Figures in reports keep four decimals: enough to compare with thresholds, short to read. */
export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
