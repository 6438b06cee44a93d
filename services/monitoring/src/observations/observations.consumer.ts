import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { AuditTrail } from '../audit/audit-trail';
import { ArticleDirectory } from './article-directory';
import { ObservationFold, RAW_ARTICLES } from './observation-fold';
import { ObservationStore } from './observation-store';
import { ServedLists } from './served-lists';

/**
 * What producers send, folded into hourly counters by event time: volumes, the mixes and
 * histograms drift is judged on, rejected, late and future records; and what serving served, each
 * list joined with the reads that follow it and kept in the audit trail. Exactly once per record.
 */
@Controller()
export class ObservationsConsumer {
  constructor(
    private readonly store: ObservationStore,
    private readonly articles: ArticleDirectory,
    private readonly servedLists: ServedLists,
    private readonly trail: AuditTrail,
  ) {}

  @ConsumeTopicBatch(topics.interactionsIngested)
  async onInteractions(@Payload() batch: MessageBatch<TopicValue<typeof topics.interactionsIngested>>) {
    await this.articles.ready();
    await this.store.fold(batch, async (manager, fresh) => {
      const fold = new ObservationFold();
      for (const { value } of fresh)
        fold.interaction(value.payload, this.articles.get(value.payload.articleId));
      await this.servedLists.matchReads(
        manager,
        fresh.map((m) => m.value.payload),
      );
      return fold;
    });
  }

  @ConsumeTopicBatch(topics.articlesIngested)
  async onArticles(@Payload() batch: MessageBatch<TopicValue<typeof topics.articlesIngested>>) {
    await this.articles.ready();
    let folded: TopicValue<typeof topics.articlesIngested>['payload'][] = [];
    await this.store.fold(batch, async (manager, fresh) => {
      folded = fresh.map((m) => m.value.payload);
      const fold = new ObservationFold();
      for (const article of folded) fold.arrived(RAW_ARTICLES, article);
      for (const article of await this.articles.store(manager, folded)) fold.newArticle(article);
      return fold;
    });
    this.articles.remember(folded);
  }

  @ConsumeTopicBatch(topics.ingestionRejected)
  async onRejected(@Payload() batch: MessageBatch<TopicValue<typeof topics.ingestionRejected>>) {
    await this.store.fold(batch, async (_manager, fresh) => {
      const fold = new ObservationFold();
      for (const { value } of fresh) fold.rejected(value.payload.sourceTopic, Date.parse(value.occurredAt));
      return fold;
    });
  }

  @ConsumeTopicBatch(topics.recommendationsServed)
  async onServed(@Payload() batch: MessageBatch<TopicValue<typeof topics.recommendationsServed>>) {
    // One handler per topic: the trail is written here, in the fold's transaction (its partitions
    // are created before it), so a response is in the trail exactly when online quality counted it.
    const served = (messages: typeof batch.messages) =>
      messages.map((m) => ({ payload: m.value.payload, occurredAt: m.value.occurredAt }));
    await this.trail.prepare(served(batch.messages));
    await this.store.fold(batch, async (manager, fresh) => {
      await this.trail.record(manager, served(fresh));
      await this.servedLists.store(
        manager,
        fresh.map((m) => ({ payload: m.value.payload, servedAt: m.value.occurredAt })),
      );
      const fold = new ObservationFold();
      for (const { value } of fresh) fold.served(value.payload.source, Date.parse(value.occurredAt));
      return fold;
    });
  }
}
