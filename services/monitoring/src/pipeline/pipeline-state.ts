import { GroupLag } from './consumer-lag';

/** How fresh each stage of the pipeline is, and what waits where. */
export interface PipelineState {
  checkedAt: string;
  champion: { modelVersion: string; since: string; ageHours: number } | null;
  lastSnapshot: { at: string; ageHours: number } | null;
  lastTraining: { at: string; ageHours: number } | null;
  lastScoringRun: { runId: string; modelVersion: string; at: string; ageHours: number } | null;
  /** Candidates rejected by the gate since the last one it passed. */
  rejectedInARow: number;
  /** Training runs failed since the last model was trained, and the latest of them. */
  failedRunsInARow: number;
  lastFailedRun: { runId: string; error: string; at: string } | null;
  /**
   * Monitoring had no trained model or evaluation waiting on its topics when it counted the runs
   * in a row (read before the counts): false leaves the "in a row" alerts as they are.
   */
  lineageCaughtUp: boolean;
  consumers: (GroupLag & { stalledSeconds: number })[];
  deadLetters: { topic: string; records: number }[];
}
