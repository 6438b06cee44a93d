import { Injectable } from '@nestjs/common';
import { newEvent, topics } from '@newsroom/contracts';
import { Outbox, advisoryXactLocks, quotedSchema } from '@newsroom/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

export interface ModerationDecision {
  articleId: string;
  flagged: boolean;
  /** A flag's: every holder of the article confirms its removal under this id. */
  takedownId?: string;
}

/**
 * Flags and unflags articles: the article row, the moderation log and `articles.flagged`, in one
 * transaction. An article not ingested yet can be flagged too: the log holds the decision, and
 * ArticlesService takes it from there when the article first arrives.
 */
@Injectable()
export class ModerationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async setFlag(
    articleId: string,
    flagged: boolean,
    reason: string,
    actor: string,
  ): Promise<ModerationDecision> {
    const s = quotedSchema(this.dataSource);
    const decision: ModerationDecision = {
      articleId,
      flagged,
      ...(flagged ? { takedownId: randomUUID() } : {}),
    };
    await this.dataSource.transaction(async (manager) => {
      // The lock ArticlesService.store holds: an article arriving now sees this decision or is updated by it.
      await advisoryXactLocks(manager, 'article', [articleId]);
      await manager.query(`UPDATE ${s}.articles SET flagged = $2, updated_at = now() WHERE article_id = $1`, [
        articleId,
        flagged,
      ]);
      await manager.query(
        `INSERT INTO ${s}.moderation_log (article_id, flagged, reason, actor) VALUES ($1, $2, $3, $4)`,
        [articleId, flagged, reason, actor],
      );
      await this.outbox.enqueue(manager, topics.articlesFlagged, [
        {
          key: articleId,
          value: newEvent(topics.articlesFlagged.name, { ...decision, reason, actor }, 'ingestion'),
        },
      ]);
    });
    return decision;
  }
}
