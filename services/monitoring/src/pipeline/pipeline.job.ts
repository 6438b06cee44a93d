import { Inject, Injectable } from '@nestjs/common';
import { alertSeverities, alertTypes } from '@newsroom/contracts';
import { gauge } from '@newsroom/observability';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { AlertsService } from '../alerts/alerts.service';
import { MonitoringConfig } from '../config';
import { pipelineConditions } from './pipeline-conditions';
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
 * candidates rejected in a row, for training runs failed in a row, for a consumer group stuck with
 * records waiting (batch scoring's: the lists go stale), and for new dead letters (see
 * pipelineConditions); the state on /metrics.
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
    for (const [dedupKey, condition] of pipelineConditions(state, this.config, this.deadLettersBefore)) {
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
