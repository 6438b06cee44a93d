/** When each stage last did its job, as lineage records it. */
export interface PipelineStages {
  champion: { modelVersion: string; since: Date } | null;
  lastSnapshotAt: Date | null;
  lastTrainedAt: Date | null;
  lastScoringRun: { runId: string; modelVersion: string; at: Date } | null;
  rejectedInARow: number;
  /** Training runs failed since the last model was trained, and the latest of them. */
  failedRunsInARow: number;
  lastFailedRun: { runId: string; error: string; at: Date } | null;
}
