import { Controller, Inject, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopic } from '@newsroom/messaging';
import { quotedSchema } from '@newsroom/persistence';
import { ChampionStore, SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { TrainingConfig } from '../config';
import { TrainingRunsService } from '../runs/training-runs.service';

/**
 * The event triggers of training, each handled in one transaction and idempotent (runs are keyed
 * by what triggered them):
 * - `dataset.snapshotted`: recorded; the answer to a run's snapshot request queues that run; a
 *   new dataset of the feature store's push or schedule starts a run when the push policy says so
 *   (enough training examples).
 * - `monitoring.alert`: a `drift` alert starts a run on a fresh snapshot when it fires (not when it
 *   is resolved); a `data-quality` alert answering a run's request fails that run with the gate's
 *   reasons.
 * - `model.promoted`: the champion that the next run warm-starts from.
 */
@Controller()
export class TrainingTriggersConsumer {
  private readonly logger = new Logger(TrainingTriggersConsumer.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: TrainingRunsService,
    private readonly champion: ChampionStore,
    @Inject(SERVICE_CONFIG) private readonly config: TrainingConfig,
  ) {}

  @ConsumeTopic(topics.datasetSnapshotted)
  async onDataset(@Payload() event: TopicValue<typeof topics.datasetSnapshotted>): Promise<void> {
    const { datasetId, manifest, requestId } = event.payload;
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO ${quotedSchema(manager.connection)}.datasets (dataset_id, manifest, created_at)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [datasetId, manifest, manifest.createdAt],
      );
      if (requestId) {
        await this.runs.datasetArrived(manager, requestId, datasetId);
        return;
      }
      // Only the feature store's own fresh snapshots: a requested one may cover a past window
      // whose held-out day the champion has already trained on.
      const minRows = this.config.TRAINING_PUSH_MIN_TRAIN_ROWS;
      const fresh = manifest.trigger === 'push' || manifest.trigger === 'schedule';
      if (fresh && minRows > 0 && manifest.rows.train >= minRows) {
        const { created } = await this.runs.enqueue(manager, {
          trigger: 'push',
          key: `push:${datasetId}`,
          reason: `new dataset with ${manifest.rows.train} training examples`,
          datasetId,
        });
        if (created) this.logger.log(`push: run queued on dataset ${datasetId.slice(0, 12)}`);
      }
    });
  }

  @ConsumeTopic(topics.monitoringAlert)
  async onAlert(@Payload() event: TopicValue<typeof topics.monitoringAlert>): Promise<void> {
    const alert = event.payload;
    if (alert.state !== 'firing') return;
    if (alert.type === 'drift') {
      await this.dataSource.transaction((manager) =>
        this.runs.enqueue(manager, {
          trigger: 'drift',
          key: `drift:${alert.alertId}`,
          reason: alert.message,
        }),
      );
    } else if (alert.type === 'data-quality' && typeof alert.details['requestId'] === 'string') {
      const requestId = alert.details['requestId'];
      await this.dataSource.transaction((manager) =>
        this.runs.datasetRefused(manager, requestId, `the requested snapshot was rejected: ${alert.message}`),
      );
    }
  }

  @ConsumeTopic(topics.modelPromoted)
  async onPromoted(@Payload() event: TopicValue<typeof topics.modelPromoted>): Promise<void> {
    await this.champion.record(this.dataSource.manager, event.payload);
  }
}
