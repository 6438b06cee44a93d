import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopic } from '@newsroom/messaging';
import { quotedSchema } from '@newsroom/persistence';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { FeatureStoreConfig } from '../config';
import { snapshotWindow } from './snapshot-window';

/**
 * `training.requested`: the request is recorded with its window (the default one, up to now) and
 * built by SnapshotRequestsJob within a second; the consumer does not wait for a build that takes
 * a minute (it would hold up every input of the feature store). A
 * redelivered request is already recorded and changes nothing.
 */
@Controller()
export class SnapshotRequestsConsumer {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: FeatureStoreConfig,
  ) {}

  @ConsumeTopic(topics.trainingRequested)
  async onRequest(@Payload() event: TopicValue<typeof topics.trainingRequested>): Promise<void> {
    const { requestId, trigger } = event.payload;
    const window = snapshotWindow({}, this.config, Date.now());
    await this.dataSource.query(
      `INSERT INTO ${quotedSchema(this.dataSource)}.snapshot_requests
         (request_id, trigger, window_start, window_end, validation_from) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [requestId, trigger, new Date(window.start), new Date(window.end), new Date(window.validationFrom)],
    );
  }
}
