/**
 * The distances data drift is judged by, on counts kept per category or per histogram bin (what
 * monitoring folds incrementally), so a report never rescans raw events.
 */

/** Added to every share before comparing, so a category absent on one side stays finite (Evidently's 0.0001). */
const EPSILON = 1e-4;

/**
 * Jensen–Shannon distance (square root of the divergence, natural logarithm, as scipy's default and
 * Evidently compute it) between two categorical distributions given as counts: 0 when the mixes
 * are the same, at most √ln 2 ≈ 0.83 when they share nothing.
 */
export function jensenShannonDistance(reference: Map<string, number>, current: Map<string, number>): number {
  const keys = [...new Set([...reference.keys(), ...current.keys()])];
  const p = shares(keys.map((k) => reference.get(k) ?? 0));
  const q = shares(keys.map((k) => current.get(k) ?? 0));
  let divergence = 0;
  for (let i = 0; i < keys.length; i++) {
    const m = (p[i] + q[i]) / 2;
    divergence += (p[i] * Math.log(p[i] / m) + q[i] * Math.log(q[i] / m)) / 2;
  }
  return Math.sqrt(Math.max(divergence, 0));
}

function shares(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const raw = counts.map((c) => (total > 0 ? c / total : 1 / counts.length) + EPSILON);
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => r / sum);
}

/**
 * A histogram's bins by their lower edges (ascending; the first is the smallest value, the last bin
 * is open). Each bin stands for its midpoint; the open bin for its lower edge plus half the width
 * of the bin before it.
 */
export class Bins {
  readonly centres: number[];

  constructor(readonly lowerEdges: readonly number[]) {
    if (lowerEdges.length < 2) throw new Error('a histogram needs at least two bins');
    for (let i = 1; i < lowerEdges.length; i++)
      if (!(lowerEdges[i] > lowerEdges[i - 1])) throw new Error('bin edges must increase');
    const n = lowerEdges.length;
    this.centres = lowerEdges.map((edge, i) =>
      i < n - 1 ? (edge + lowerEdges[i + 1]) / 2 : edge + (edge - lowerEdges[i - 1]) / 2,
    );
  }

  /** The bin a value falls in (values below the first edge go to the first bin). */
  indexOf(value: number): number {
    const edges = this.lowerEdges;
    let lo = 0;
    let hi = edges.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (value >= edges[mid]) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Mean and standard deviation of a histogram (each bin at its centre). */
export function histogramMoments(
  bins: Bins,
  counts: readonly number[],
): { n: number; mean: number; std: number } {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    n += counts[i];
    sum += counts[i] * bins.centres[i];
  }
  if (n === 0) return { n: 0, mean: 0, std: 0 };
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < counts.length; i++) squares += counts[i] * (bins.centres[i] - mean) ** 2;
  return { n, mean, std: Math.sqrt(squares / n) };
}

/**
 * Wasserstein-1 (earth mover's) distance between two histograms on the same bins, divided by the
 * reference's standard deviation (Evidently's "normed" Wasserstein): 0.1 means the mass moved a
 * tenth of a standard deviation on average. A reference without spread gives 0 when both sides
 * are equal and Infinity otherwise.
 */
export function normalisedWasserstein(
  bins: Bins,
  reference: readonly number[],
  current: readonly number[],
): number {
  const a = histogramMoments(bins, reference);
  const b = histogramMoments(bins, current);
  if (a.n === 0 || b.n === 0) return NaN;
  let distance = 0;
  let cdfA = 0;
  let cdfB = 0;
  for (let i = 0; i < bins.centres.length - 1; i++) {
    cdfA += reference[i] / a.n;
    cdfB += current[i] / b.n;
    distance += Math.abs(cdfA - cdfB) * (bins.centres[i + 1] - bins.centres[i]);
  }
  if (a.std === 0) return distance === 0 ? 0 : Infinity;
  return distance / a.std;
}
