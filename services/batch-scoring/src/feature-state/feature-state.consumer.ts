import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { DataSource } from 'typeorm';
import { FeatureStateService } from './feature-state.service';

/** The feature store's compacted topics, each fetched batch in one statement (idempotent by version). */
@Controller()
export class FeatureStateConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly state: FeatureStateService,
  ) {}

  @ConsumeTopicBatch(topics.featuresUsers)
  async onUsers(@Payload() batch: MessageBatch<TopicValue<typeof topics.featuresUsers>>): Promise<void> {
    await this.state.applyReaders(
      this.dataSource.manager,
      batch.messages.map((m) => m.value.payload),
    );
  }

  @ConsumeTopicBatch(topics.featuresArticles)
  async onArticles(
    @Payload() batch: MessageBatch<TopicValue<typeof topics.featuresArticles>>,
  ): Promise<void> {
    await this.state.applyArticleFeatures(
      this.dataSource.manager,
      batch.messages.map((m) => m.value.payload),
    );
  }
}
