import { Injectable } from '@nestjs/common';
import { quotedSchema } from '@newsroom/persistence';
import { ReaderDataDocument, ReaderDataStore } from '@newsroom/platform';
import { EntityManager } from 'typeorm';
import { RecommendationIndex } from '../recommendations/recommendation-index';

/**
 * Serving's part of a reader's data: their stored list. Each replica answers for itself: the
 * table is shared (the first replica's delete finds it, the others find nothing), but each holds
 * the list in memory, and drops it once the delete has committed.
 */
@Injectable()
export class ServingReaderData implements ReaderDataStore {
  readonly holder = 'serving';

  constructor(private readonly index: RecommendationIndex) {}

  async exportReader(manager: EntityManager, userId: string): Promise<ReaderDataDocument> {
    const lists = await manager.query(
      `SELECT * FROM ${quotedSchema(manager.connection)}.lists WHERE user_id = $1`,
      [userId],
    );
    return { lists };
  }

  async eraseReader(manager: EntityManager, userId: string): Promise<number> {
    const [, removed] = await manager.query(
      `DELETE FROM ${quotedSchema(manager.connection)}.lists WHERE user_id = $1`,
      [userId],
    );
    return removed;
  }

  afterErasure(userId: string): void {
    this.index.forget(userId);
  }
}
