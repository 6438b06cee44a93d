import { Controller, Inject, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopic } from '@newsroom/messaging';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { FeatureStoreConfig } from '../config';
import { DatasetsService } from './datasets.service';
import { snapshotWindow } from './snapshot-window';

/**
 * Snapshots asked for by training (`training.requested`): the default window up to now, answered
 * on `dataset.snapshotted` with the request's id (or by the gate's alert). A redelivered request
 * snapshots the same data again and is answered with the same event id.
 */
@Controller()
export class SnapshotRequestsConsumer {
  private readonly logger = new Logger(SnapshotRequestsConsumer.name);

  constructor(
    private readonly datasets: DatasetsService,
    @Inject(SERVICE_CONFIG) private readonly config: FeatureStoreConfig,
  ) {}

  @ConsumeTopic(topics.trainingRequested)
  async onRequest(@Payload() event: TopicValue<typeof topics.trainingRequested>): Promise<void> {
    const { requestId, trigger } = event.payload;
    const window = snapshotWindow({}, this.config, Date.now());
    const result = await this.datasets.snapshot('pull', window, requestId);
    this.logger.log(`snapshot for training request ${requestId} (${trigger}): ${result.outcome}`);
  }
}
