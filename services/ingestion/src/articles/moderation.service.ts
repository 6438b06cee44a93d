import { Injectable, NotFoundException } from '@nestjs/common';
import { newEvent, topics } from '@newsroom/contracts';
import { Outbox, quotedSchema, updateReturning } from '@newsroom/persistence';
import { DataSource } from 'typeorm';

/** Flags and unflags articles: the article row, the moderation log and `articles.flagged`, in one transaction. */
@Injectable()
export class ModerationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async setFlag(articleId: string, flagged: boolean, reason: string, actor: string): Promise<void> {
    const s = quotedSchema(this.dataSource);
    await this.dataSource.transaction(async (manager) => {
      const updated = await updateReturning<{ article_id: string }>(
        manager,
        `UPDATE ${s}.articles SET flagged = $2, updated_at = now() WHERE article_id = $1 RETURNING article_id`,
        [articleId, flagged],
      );
      if (updated.length === 0) throw new NotFoundException(`article ${articleId} is not in the warehouse`);
      await manager.query(
        `INSERT INTO ${s}.moderation_log (article_id, flagged, reason, actor) VALUES ($1, $2, $3, $4)`,
        [articleId, flagged, reason, actor],
      );
      await this.outbox.enqueue(manager, topics.articlesFlagged, [
        {
          key: articleId,
          value: newEvent(topics.articlesFlagged.name, { articleId, flagged, reason, actor }, 'ingestion'),
        },
      ]);
    });
  }
}
