import { Inject, Injectable } from '@nestjs/common';
import { alertSeverities, alertTypes } from '@newsroom/contracts';
import { gauge } from '@newsroom/observability';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { AlertsService } from '../alerts/alerts.service';
import { AlertCondition } from '../alerts/alert';
import { MonitoringConfig } from '../config';
import { PipelineState } from './pipeline-state';
import { PipelineService } from './pipeline.service';

const stageAge = gauge(
  'monitoring_pipeline_stage_age_seconds',
  'Age of the champion and of the last snapshot, trained model and scoring run',
  ['stage'],
);
const groupLag = gauge(
  'monitoring_consumer_group_lag',
  "Records waiting for a service's consumer group on a topic",
  ['service', 'topic'],
);
const groupStalled = gauge(
  'monitoring_consumer_group_stalled_seconds',
  'How long a consumer group has had records waiting and committed nothing',
  ['service', 'topic'],
);
const deadLetterRecords = gauge('monitoring_dead_letter_records', 'Records on a dead-letter topic', [
  'topic',
]);
const rejectedInARow = gauge(
  'monitoring_rejected_candidates_in_a_row',
  'Candidates the gate rejected since it last passed one',
);
const failedRunsInARow = gauge(
  'monitoring_failed_training_runs_in_a_row',
  'Training runs that failed since a model was last trained',
);
const alertsFiring = gauge('monitoring_alerts_firing', 'Alerts firing, by type and severity', [
  'type',
  'severity',
]);

/**
 * Pipeline health every MONITORING_CHECK_INTERVAL_MS: `pipeline` alerts for a stale champion,
 * snapshot or model (older than MONITORING_STAGE_MAX_AGE_HOURS, once there is a champion), for
 * candidates rejected in a row, for training runs failed in a row, for a consumer group stuck with records waiting (batch scoring's:
 * the lists go stale), and for new dead letters; the state on /metrics.
 */
@Injectable()
export class PipelineJob extends PeriodicJob {
  private deadLettersBefore?: Map<string, number>;

  constructor(
    private readonly pipeline: PipelineService,
    private readonly alerts: AlertsService,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {
    super('PipelineJob', config.MONITORING_CHECK_INTERVAL_MS);
  }

  protected async runOnce(): Promise<void> {
    const state = await this.pipeline.check();
    this.export(state);
    for (const [dedupKey, condition] of this.conditions(state)) {
      if (condition) await this.alerts.raise({ dedupKey, type: 'pipeline', ...condition });
      else await this.alerts.clear(dedupKey);
    }
    // Only once their alerts are raised: a failed raise sees the same new dead letters next time.
    this.deadLettersBefore = new Map(state.deadLetters.map((d) => [d.topic, d.records]));
    for (const type of alertTypes)
      for (const severity of alertSeverities) alertsFiring.set({ type, severity }, 0);
    for (const { type, severity, n } of await this.alerts.firingCounts())
      alertsFiring.set({ type, severity }, n);
  }

  /** Every condition checked, by dedup key: what to raise, or null when it holds no more. */
  private conditions(state: PipelineState): Map<string, Omit<AlertCondition, 'dedupKey' | 'type'> | null> {
    const conditions = new Map<string, Omit<AlertCondition, 'dedupKey' | 'type'> | null>();
    const maxAge = this.config.MONITORING_STAGE_MAX_AGE_HOURS;
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
    const rejected = this.config.MONITORING_MAX_REJECTED_IN_A_ROW;
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
    const failures = this.config.MONITORING_MAX_FAILED_RUNS_IN_A_ROW;
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
    for (const c of state.consumers) {
      const stuck = c.stalledSeconds >= this.config.MONITORING_CONSUMER_STALL_SECONDS;
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
    const before = this.deadLettersBefore;
    for (const d of state.deadLetters) {
      const added = before ? d.records - (before.get(d.topic) ?? 0) : 0;
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

  private export(state: PipelineState): void {
    const seconds = (at: { ageHours: number } | null) => (at ? at.ageHours * 3600 : -1);
    stageAge.set({ stage: 'champion' }, seconds(state.champion));
    stageAge.set({ stage: 'snapshot' }, seconds(state.lastSnapshot));
    stageAge.set({ stage: 'trained-model' }, seconds(state.lastTraining));
    stageAge.set({ stage: 'scoring-run' }, seconds(state.lastScoringRun));
    rejectedInARow.set(state.rejectedInARow);
    failedRunsInARow.set(state.failedRunsInARow);
    for (const c of state.consumers) {
      groupLag.set({ service: c.service, topic: c.topic }, c.lag);
      groupStalled.set({ service: c.service, topic: c.topic }, c.stalledSeconds);
    }
    for (const d of state.deadLetters) deadLetterRecords.set({ topic: d.topic }, d.records);
  }
}
