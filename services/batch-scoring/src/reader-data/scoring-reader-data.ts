import { Injectable } from '@nestjs/common';
import { newEvent, topics } from '@newsroom/contracts';
import { Outbox, quotedSchema, updateReturning } from '@newsroom/persistence';
import { ReaderDataDocument, ReaderDataStore } from '@newsroom/platform';
import { EntityManager } from 'typeorm';
import { ReaderVectors } from '../scoring/reader-vectors';

/**
 * Batch scoring's part of a reader's data: the copy of their features it scores from and their
 * stored list (with their vector under the model). Erasure deletes both and publishes an empty
 * list with the next revision: `recommendations.generated` is compacted, so that record replaces
 * the reader's list there, and serving drops the list it holds. The reader's vector leaves this
 * replica's memory too (other replicas forget it from the feature store's emptied record).
 */
@Injectable()
export class ScoringReaderData implements ReaderDataStore {
  readonly holder = 'batch-scoring';

  constructor(
    private readonly outbox: Outbox,
    private readonly vectors: ReaderVectors,
  ) {}

  async exportReader(manager: EntityManager, userId: string): Promise<ReaderDataDocument> {
    const s = quotedSchema(manager.connection);
    const [readers, lists] = await Promise.all([
      manager.query(`SELECT * FROM ${s}.readers WHERE user_id = $1`, [userId]),
      manager.query(
        `SELECT user_id, model_version, revision, generated_at, items, encode(vector, 'base64') AS vector,
           encode(reader_coalitions, 'base64') AS reader_coalitions, attribution_baseline, dataset_id,
           feature_schema_version
         FROM ${s}.lists WHERE user_id = $1`,
        [userId],
      ),
    ]);
    return { readers, lists };
  }

  async eraseReader(manager: EntityManager, userId: string): Promise<number> {
    const s = quotedSchema(manager.connection);
    const [, readers] = await manager.query(`DELETE FROM ${s}.readers WHERE user_id = $1`, [userId]);
    const lists = await updateReturning<{ model_version: string; revision: number }>(
      manager,
      `DELETE FROM ${s}.lists WHERE user_id = $1 RETURNING model_version, revision`,
      [userId],
    );
    for (const list of lists) {
      await this.outbox.enqueue(manager, topics.recommendationsGenerated, [
        {
          key: userId,
          value: newEvent(
            topics.recommendationsGenerated.name,
            {
              userId,
              modelVersion: list.model_version,
              generatedAt: new Date().toISOString(),
              revision: list.revision + 1,
              items: [],
            },
            'batch-scoring',
          ),
        },
      ]);
    }
    return readers + lists.length;
  }

  afterErasure(userId: string): void {
    this.vectors.forget(userId);
  }
}
