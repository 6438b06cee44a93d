import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { DataSource, EntityManager } from 'typeorm';
import { ArticleFeaturesService } from './article-features.service';
import { FeatureMetrics } from './feature-metrics';
import { IngestProgress } from './ingest-progress';
import { InteractionFeaturesService } from './interaction-features.service';
import { TakedownConfirmations } from './takedown-confirmations';

/**
 * The feature store's inputs. Each fetched batch is applied in one transaction together with the
 * offsets it reached; idempotent by event (the interaction log's key, the article revision, the
 * inbox for moderation), so a redelivered batch changes nothing. A flag is confirmed (its takedown)
 * in the transaction that applies it.
 */
@Controller()
export class FeaturesConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly interactions: InteractionFeaturesService,
    private readonly articles: ArticleFeaturesService,
    private readonly progress: IngestProgress,
    private readonly metrics: FeatureMetrics,
    private readonly takedowns: TakedownConfirmations,
  ) {}

  @ConsumeTopicBatch(topics.interactionsIngested)
  async onInteractions(@Payload() batch: MessageBatch<TopicValue<typeof topics.interactionsIngested>>) {
    const fresh = await this.applyBatch(batch, async (manager) => {
      const n = await this.interactions.apply(
        manager,
        batch.messages.map((m) => m.value.payload),
      );
      return { applied: n, newInteractions: n, newArticles: 0 };
    });
    this.metrics.applied('interaction', fresh, batch.messages.length);
  }

  @ConsumeTopicBatch(topics.articlesIngested)
  async onArticles(@Payload() batch: MessageBatch<TopicValue<typeof topics.articlesIngested>>) {
    const fresh = await this.applyBatch(batch, async (manager) => {
      const created = await this.articles.applyRevisions(
        manager,
        batch.messages.map((m) => m.value.payload),
      );
      return { applied: created, newInteractions: 0, newArticles: created };
    });
    this.metrics.applied('article', fresh, batch.messages.length);
  }

  @ConsumeTopicBatch(topics.articlesFlagged)
  async onModeration(@Payload() batch: MessageBatch<TopicValue<typeof topics.articlesFlagged>>) {
    await this.applyBatch(batch, async (manager) => {
      const takedowns = await this.articles.applyModeration(
        manager,
        batch.messages.map((m) => m.value),
      );
      await this.takedowns.confirm(manager, takedowns);
      return { applied: 0, newInteractions: 0, newArticles: 0 };
    });
    this.metrics.applied('moderation', batch.messages.length, batch.messages.length);
  }

  private async applyBatch(
    batch: MessageBatch,
    apply: (
      manager: EntityManager,
    ) => Promise<{ applied: number; newInteractions: number; newArticles: number }>,
  ): Promise<number> {
    if (batch.messages.length === 0) return 0;
    const result = await this.dataSource.transaction(async (manager) => {
      const counts = await apply(manager);
      await this.progress.record(manager, {
        topic: batch.topic,
        partition: batch.partition,
        lastOffset: batch.messages[batch.messages.length - 1].offset,
        ...counts,
      });
      return counts;
    });
    if (result.newInteractions > 0 || result.newArticles > 0) this.progress.advanced.next();
    return result.applied;
  }
}
