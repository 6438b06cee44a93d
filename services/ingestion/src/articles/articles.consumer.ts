import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Article, topics } from '@newsroom/contracts';
import { ConsumeTopicBatch, MessageBatch } from '@newsroom/messaging';
import { DataSource } from 'typeorm';
import { FieldWarnings, carrying } from '../quality/field-warnings';
import { RejectionsService } from '../rejections/rejections.service';
import { ArticlesService } from './articles.service';

@Controller()
export class ArticlesConsumer {
  constructor(
    private readonly articles: ArticlesService,
    private readonly rejections: RejectionsService,
    private readonly fieldWarnings: FieldWarnings,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * A fetched batch of `articles.raw`: valid records stored (field warnings counted), invalid ones
   * rejected, in one transaction.
   */
  @ConsumeTopicBatch(topics.articlesRaw, { deliverInvalid: true })
  async onArticles(@Payload() batch: MessageBatch<Article>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.articles.store(
        manager,
        batch.messages.map((m) => carrying(m.value, m.warnings)),
        'kafka',
      );
      await this.rejections.record(manager, 'article', batch.invalid);
    });
    this.fieldWarnings.count(
      'article',
      'kafka',
      batch.messages.flatMap((m) => m.warnings),
    );
  }
}
