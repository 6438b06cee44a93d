import { Injectable } from '@nestjs/common';
import { newEvent, topics } from '@newsroom/contracts';
import { Outbox, quotedSchema, updateReturning } from '@newsroom/persistence';
import { ReaderDataDocument, ReaderDataStore } from '@newsroom/platform';
import { EntityManager } from 'typeorm';

/**
 * The feature store's part of a reader's data: their online features and their interaction
 * history (the offline store datasets are cut from). Erasure deletes the history and empties the
 * features row rather than deleting it, so that its version keeps rising: `features.users` is
 * compacted, and the emptied record published with `erasedAt` replaces the reader's last one
 * there, while a later record of theirs (they came back) still outranks it.
 */
@Injectable()
export class FeatureStoreReaderData implements ReaderDataStore {
  readonly holder = 'feature-store';

  constructor(private readonly outbox: Outbox) {}

  async exportReader(manager: EntityManager, userId: string): Promise<ReaderDataDocument> {
    const s = quotedSchema(manager.connection);
    const [userFeatures, interactionLog] = await Promise.all([
      manager.query(`SELECT * FROM ${s}.user_features WHERE user_id = $1`, [userId]),
      manager.query(`SELECT * FROM ${s}.interaction_log WHERE user_id = $1 ORDER BY occurred_at, event_id`, [
        userId,
      ]),
    ]);
    return { userFeatures, interactionLog };
  }

  async eraseReader(manager: EntityManager, userId: string): Promise<number> {
    const s = quotedSchema(manager.connection);
    const [, history] = await manager.query(`DELETE FROM ${s}.interaction_log WHERE user_id = $1`, [userId]);
    const emptied = await updateReturning<{ version: string; last_seen_at: Date }>(
      manager,
      `UPDATE ${s}.user_features
       SET region = NULL, region_at = NULL, impressions = 0, clicks = 0, reads = 0, total_dwell_seconds = 0,
           category_dwell = '{}', last_seen_at = now(), version = version + 1, published_version = version + 1
       WHERE user_id = $1 AND (reads > 0 OR impressions > 0 OR clicks > 0)
       RETURNING version, last_seen_at`,
      [userId],
    );
    for (const row of emptied) {
      const at = row.last_seen_at.toISOString();
      await this.outbox.enqueue(manager, topics.featuresUsers, [
        {
          key: userId,
          value: newEvent(
            topics.featuresUsers.name,
            {
              userId,
              categoryMix: {},
              recentReads: [],
              impressions: 0,
              clicks: 0,
              reads: 0,
              totalDwellSeconds: 0,
              lastSeenAt: at,
              version: Number(row.version),
              erasedAt: at,
            },
            'feature-store',
          ),
        },
      ]);
    }
    return history + emptied.length;
  }
}
