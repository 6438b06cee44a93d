import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopic } from '@newsroom/messaging';
import { DatasetsService } from './datasets.service';

/** Every `dataset.snapshotted` manifest is kept: model cards tell a model's training data from it. */
@Controller()
export class DatasetsConsumer {
  constructor(private readonly datasets: DatasetsService) {}

  @ConsumeTopic(topics.datasetSnapshotted)
  onSnapshotted(@Payload() event: TopicValue<typeof topics.datasetSnapshotted>): Promise<void> {
    return this.datasets.register(event.payload);
  }
}
