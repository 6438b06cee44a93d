import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopic } from '@newsroom/messaging';
import { AlertsService } from '../alerts/alerts.service';
import { LineageService } from './lineage.service';

/**
 * Datasets, models, failed training runs, evaluations, promotions, rollbacks and scoring runs: where the champion and its
 * reference window come from, and how fresh each stage of the pipeline is.
 */
@Controller()
export class LineageConsumer {
  constructor(
    private readonly lineage: LineageService,
    private readonly alerts: AlertsService,
  ) {}

  /** A snapshot that passed the gate also ends the alerts of snapshots it rejected before. */
  @ConsumeTopic(topics.datasetSnapshotted)
  async onDataset(@Payload() event: TopicValue<typeof topics.datasetSnapshotted>): Promise<void> {
    await this.lineage.dataset(event.payload);
    await this.alerts.clearOthers('dataset-gate:');
  }

  @ConsumeTopic(topics.modelTrained)
  onTrained(@Payload() event: TopicValue<typeof topics.modelTrained>): Promise<void> {
    return this.lineage.trained(event.payload, event.occurredAt);
  }

  @ConsumeTopic(topics.trainingFailed)
  onTrainingFailed(@Payload() event: TopicValue<typeof topics.trainingFailed>): Promise<void> {
    return this.lineage.trainingFailed(event.payload, event.occurredAt);
  }

  @ConsumeTopic(topics.modelEvaluated)
  onEvaluated(@Payload() event: TopicValue<typeof topics.modelEvaluated>): Promise<void> {
    return this.lineage.evaluated(event.payload, event.occurredAt);
  }

  @ConsumeTopic(topics.modelPromoted)
  onPromoted(@Payload() event: TopicValue<typeof topics.modelPromoted>): Promise<void> {
    return this.lineage.promoted(event.payload, event.occurredAt);
  }

  @ConsumeTopic(topics.modelRolledBack)
  onRolledBack(@Payload() event: TopicValue<typeof topics.modelRolledBack>): Promise<void> {
    return this.lineage.rolledBack(event.payload, event.occurredAt);
  }

  @ConsumeTopic(topics.scoringCompleted)
  onScoringCompleted(@Payload() event: TopicValue<typeof topics.scoringCompleted>): Promise<void> {
    return this.lineage.scoringCompleted(event.payload, event.occurredAt);
  }
}
