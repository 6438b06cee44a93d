import { Controller, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ConsumeTopic, ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { ChampionStore } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { FeatureStateService } from '../feature-state/feature-state.service';
import { ArticleCatalog } from './article-catalog';
import { ListUpdatesService } from './list-updates.service';
import { ScoringRunsService } from './scoring-runs.service';
import { TakedownConfirmations } from './takedown-confirmations';

/**
 * `model.promoted`: a run scoring every reader with the new champion. `articles.ingested`: the
 * freshness path (a new article offered to every list; one flagged before it arrived is not).
 * `articles.flagged`: out of every list, and the takedown confirmed, in one transaction.
 */
@Controller()
export class ScoringConsumer {
  private readonly logger = new Logger(ScoringConsumer.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly champion: ChampionStore,
    private readonly runs: ScoringRunsService,
    private readonly state: FeatureStateService,
    private readonly updates: ListUpdatesService,
    private readonly catalog: ArticleCatalog,
    private readonly takedowns: TakedownConfirmations,
  ) {}

  @ConsumeTopic(topics.modelPromoted)
  async onPromoted(@Payload() event: TopicValue<typeof topics.modelPromoted>): Promise<void> {
    const runId = await this.dataSource.transaction(async (manager) => {
      await this.champion.record(manager, event.payload);
      return this.runs.start(manager, event.payload);
    });
    if (runId) this.logger.log(`run ${runId}: scoring every reader with ${event.payload.modelVersion}`);
  }

  @ConsumeTopicBatch(topics.articlesIngested)
  async onArticles(
    @Payload() batch: MessageBatch<TopicValue<typeof topics.articlesIngested>>,
  ): Promise<void> {
    const stored = await this.state.applyIngested(
      this.dataSource.manager,
      batch.messages.map((m) => m.value.payload),
    );
    this.catalog.put(stored);
    // Revisions edit articles already offered; only first versions are new to readers.
    await this.updates.offerArticles(stored.filter((a) => a.revision === 1).map((a) => a.article_id));
  }

  @ConsumeTopicBatch(topics.articlesFlagged)
  async onModeration(
    @Payload() batch: MessageBatch<TopicValue<typeof topics.articlesFlagged>>,
  ): Promise<void> {
    const { flagged } = await this.dataSource.transaction(async (manager) => {
      const outcome = await this.state.applyModeration(
        manager,
        batch.messages.map((m) => m.value),
      );
      const withdrawn = await this.updates.withdraw(
        manager,
        [...outcome.flagged].filter(([, isFlagged]) => isFlagged).map(([id]) => id),
      );
      // Confirmed once the lists are rewritten, ahead of their announcements (~1,800 lists, ~30 MB
      // for a front-page article): the relay publishes the outbox in id order. All of it commits
      // together, so the confirmation holds if and only if the lists lost the article.
      await this.takedowns.confirm(manager, outcome.takedowns);
      await this.updates.announceWithdrawn(manager, withdrawn);
      return outcome;
    });
    for (const [articleId, isFlagged] of flagged) this.catalog.flag(articleId, isFlagged);
  }
}
