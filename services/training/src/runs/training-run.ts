import { EpochStats } from '@newsroom/ml';

export const trainingRunStatuses = ['awaiting-dataset', 'queued', 'running', 'succeeded', 'failed'] as const;

/** A training run as an experiment tracker records it. */
export interface TrainingRun {
  runId: string;
  trigger: 'push' | 'schedule' | 'request' | 'drift';
  reason: string | null;
  status: (typeof trainingRunStatuses)[number];
  datasetId: string | null;
  parentVersion: string | null;
  params: Record<string, unknown>;
  codeVersion: string;
  backend: string | null;
  epochs: EpochStats[];
  metrics: Record<string, number> | null;
  wallSeconds: number | null;
  cpuSeconds: number | null;
  peakRssBytes: number | null;
  modelVersion: string | null;
  artifact: { uri: string; sha256: string; bytes: number } | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** A `training_runs` row as the API shows it. */
export function trainingRunFromRow(row: Record<string, never>): TrainingRun {
  return {
    runId: row['run_id'],
    trigger: row['trigger'],
    reason: row['reason'],
    status: row['status'],
    datasetId: row['dataset_id'],
    parentVersion: row['parent_version'],
    params: row['params'],
    codeVersion: row['code_version'],
    backend: row['backend'],
    epochs: row['epochs'],
    metrics: row['metrics'],
    wallSeconds: row['wall_seconds'],
    cpuSeconds: row['cpu_seconds'],
    peakRssBytes: row['peak_rss_bytes'] === null ? null : Number(row['peak_rss_bytes']),
    modelVersion: row['model_version'],
    artifact: row['artifact'],
    error: row['error'],
    createdAt: iso(row['created_at']) ?? '',
    startedAt: iso(row['started_at']),
    finishedAt: iso(row['finished_at']),
  };
}
