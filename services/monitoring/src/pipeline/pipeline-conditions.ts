import { AlertCondition } from '../alerts/alert';
import { MonitoringConfig } from '../config';
import { PipelineState } from './pipeline-state';

/** What a check raises under a dedup key, or null when the condition holds no more. */
export type PipelineCondition = Omit<AlertCondition, 'dedupKey' | 'type'> | null;

export type PipelineThresholds = Pick<
  MonitoringConfig,
  | 'MONITORING_STAGE_MAX_AGE_HOURS'
  | 'MONITORING_MAX_REJECTED_IN_A_ROW'
  | 'MONITORING_MAX_FAILED_RUNS_IN_A_ROW'
  | 'MONITORING_CONSUMER_STALL_SECONDS'
>;

/**
 * Every pipeline condition a check can decide, by dedup key. The "in a row" counts are left
 * undecided (no key) while monitoring has lineage records waiting: a trained model or a passed
 * candidate still on its topic would end the row, and records of different topics arrive in no
 * particular order. `deadLettersBefore` is the previous check's count per dead-letter topic
 * (undefined on the first check, which takes what is there as already known).
 */
export function pipelineConditions(
  state: PipelineState,
  thresholds: PipelineThresholds,
  deadLettersBefore?: Map<string, number>,
): Map<string, PipelineCondition> {
  const conditions = new Map<string, PipelineCondition>();
  const maxAge = thresholds.MONITORING_STAGE_MAX_AGE_HOURS;
  const stale = (stage: string, subject: string, at: { ageHours: number } | null) =>
    conditions.set(
      `pipeline:stale:${stage}`,
      state.champion && (!at || at.ageHours > maxAge)
        ? {
            severity: 'warning',
            subject,
            message: at
              ? `the ${stage} is ${Math.round(at.ageHours)} h old (more than ${maxAge} h): retraining is not getting through`
              : `no ${stage} since the champion was promoted`,
            details: { stage, ...at, maxAgeHours: maxAge },
          }
        : null,
    );
  stale('champion', state.champion?.modelVersion ?? 'champion', state.champion);
  stale('snapshot', 'dataset snapshots', state.lastSnapshot);
  stale('trained model', 'training', state.lastTraining);
  if (state.lineageCaughtUp) {
    const rejected = thresholds.MONITORING_MAX_REJECTED_IN_A_ROW;
    conditions.set(
      'pipeline:rejected-in-a-row',
      state.rejectedInARow >= rejected
        ? {
            severity: 'warning',
            subject: 'evaluation gate',
            message: `the evaluation gate rejected the last ${state.rejectedInARow} candidates`,
            details: { rejectedInARow: state.rejectedInARow },
          }
        : null,
    );
    const failures = thresholds.MONITORING_MAX_FAILED_RUNS_IN_A_ROW;
    conditions.set(
      'pipeline:training-failed-in-a-row',
      state.failedRunsInARow >= failures && state.lastFailedRun
        ? {
            severity: 'critical',
            subject: 'training',
            message: `the last ${state.failedRunsInARow} training runs failed; the latest: ${state.lastFailedRun.error}`,
            details: { failedRunsInARow: state.failedRunsInARow, lastFailedRun: state.lastFailedRun },
          }
        : null,
    );
  }
  for (const c of state.consumers) {
    const stuck = c.stalledSeconds >= thresholds.MONITORING_CONSUMER_STALL_SECONDS;
    const consequence = c.service === 'batch-scoring' ? ': recommendation lists go stale' : '';
    conditions.set(
      `pipeline:stalled:${c.service}:${c.topic}`,
      stuck
        ? {
            severity: 'critical',
            subject: c.service,
            message: `${c.service} has consumed nothing of ${c.topic} for ${c.stalledSeconds} s while ${c.lag} records wait${consequence}`,
            details: { ...c },
          }
        : null,
    );
  }
  for (const d of state.deadLetters) {
    const added = deadLettersBefore ? d.records - (deadLettersBefore.get(d.topic) ?? 0) : 0;
    conditions.set(
      `pipeline:dead-letters:${d.topic}`,
      added > 0
        ? {
            severity: 'warning',
            subject: d.topic,
            message: `${added} new records on ${d.topic} (${d.records} in all): see npm run dlq -- list`,
            details: { topic: d.topic, added, records: d.records },
          }
        : null,
    );
  }
  return conditions;
}
