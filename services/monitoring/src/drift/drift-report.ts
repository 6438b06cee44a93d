/** One feature's verdict in a data-drift report. */
export interface FeatureDrift {
  name: string;
  kind: 'categorical' | 'numeric';
  method: 'jensen-shannon' | 'wasserstein-normed';
  /** The distance, or null when either side had too few observations to judge. */
  value: number | null;
  threshold: number;
  verdict: 'drifted' | 'stable' | 'insufficient-data';
  referenceCount: number;
  currentCount: number;
}

/** A data-drift report: the champion's training window against the latest sliding window. */
export interface DriftReport {
  createdAt: string;
  modelVersion: string;
  reference: { from: string; to: string };
  current: { from: string; to: string };
  features: FeatureDrift[];
  /** Features drifted / features judged. */
  driftedShare: number;
  shareThreshold: number;
  /** Judged features needed before the data as a whole can be called drifted. */
  minJudged: number;
  drifted: boolean;
}
