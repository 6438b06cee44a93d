import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopic, ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { ChampionStore } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { RecommendationIndex } from './recommendation-index';
import { TakedownConfirmations } from './takedown-confirmations';

/**
 * Lists, fallbacks and flags into the table and then the in-memory index, before the offsets are
 * committed: once a flag is acknowledged, this replica no longer serves the article, and has
 * confirmed its takedown (after the index holds it: a confirmation is never ahead of the index).
 */
@Controller()
export class RecommendationsConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly index: RecommendationIndex,
    private readonly champion: ChampionStore,
    private readonly takedowns: TakedownConfirmations,
  ) {}

  @ConsumeTopicBatch(topics.recommendationsGenerated)
  async onLists(
    @Payload() batch: MessageBatch<TopicValue<typeof topics.recommendationsGenerated>>,
  ): Promise<void> {
    await this.index.storeLists(
      this.dataSource.manager,
      batch.messages.map((m) => m.value.payload),
    );
  }

  @ConsumeTopicBatch(topics.recommendationsFallback)
  async onFallback(
    @Payload() batch: MessageBatch<TopicValue<typeof topics.recommendationsFallback>>,
  ): Promise<void> {
    await this.index.storeFallbacks(
      this.dataSource.manager,
      batch.messages.map((m) => m.value.payload),
    );
  }

  @ConsumeTopicBatch(topics.articlesFlagged)
  async onModeration(
    @Payload() batch: MessageBatch<TopicValue<typeof topics.articlesFlagged>>,
  ): Promise<void> {
    const held = await this.index.storeModeration(
      this.dataSource.manager,
      batch.messages.map((m) => m.value.payload),
    );
    await this.takedowns.confirm(this.dataSource.manager, held);
  }

  @ConsumeTopic(topics.modelPromoted)
  async onPromoted(@Payload() event: TopicValue<typeof topics.modelPromoted>): Promise<void> {
    await this.champion.record(this.dataSource.manager, event.payload);
  }
}
