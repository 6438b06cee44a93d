import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { DataSource } from 'typeorm';
import { ScoringReaderData } from '../reader-data/scoring-reader-data';
import { FeatureStateService } from './feature-state.service';

/** The feature store's compacted topics, each fetched batch in one statement (idempotent by version). */
@Controller()
export class FeatureStateConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly state: FeatureStateService,
    private readonly readerData: ScoringReaderData,
  ) {}

  /**
   * A reader whose latest record says their data was erased is forgotten here too (their features
   * and list): the erasure reaches every replica of the compacted topic's consumers this way, and
   * a later record of theirs (they came back) starts afresh.
   */
  @ConsumeTopicBatch(topics.featuresUsers)
  async onUsers(@Payload() batch: MessageBatch<TopicValue<typeof topics.featuresUsers>>): Promise<void> {
    const latest = new Map<string, TopicValue<typeof topics.featuresUsers>['payload']>();
    for (const { value } of batch.messages) {
      const seen = latest.get(value.payload.userId);
      if (!seen || seen.version < value.payload.version) latest.set(value.payload.userId, value.payload);
    }
    const erased = [...latest.values()].filter((u) => u.erasedAt);
    if (erased.length === 0) {
      await this.state.applyReaders(this.dataSource.manager, [...latest.values()]);
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      for (const reader of erased) await this.readerData.eraseReader(manager, reader.userId);
      await this.state.applyReaders(
        manager,
        [...latest.values()].filter((u) => !u.erasedAt),
      );
    });
    for (const reader of erased) this.readerData.afterErasure(reader.userId);
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
