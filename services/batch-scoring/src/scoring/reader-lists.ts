import { Injectable } from '@nestjs/common';
import { derivedEventId, newEvent, topics } from '@newsroom/contracts';
import { Outbox, quotedSchema, updateReturning } from '@newsroom/persistence';
import { EntityManager } from 'typeorm';

export interface ListItem {
  articleId: string;
  score: number;
}

export interface StoredList {
  modelVersion: string;
  items: ListItem[];
}

interface WrittenList {
  user_id: string;
  model_version: string;
  revision: number;
  generated_at: Date;
  items: ListItem[];
}

/**
 * Readers' current lists, and their publication: every write bumps the list's revision and puts
 * the whole list on `recommendations.generated` through the outbox, in the writer's transaction
 * (a list is announced if and only if it was stored; serving keeps the highest revision).
 */
@Injectable()
export class ReaderLists {
  constructor(private readonly outbox: Outbox) {}

  /** New lists, scored with `modelVersion`, with the reader vectors they were scored with. */
  async replace(
    manager: EntityManager,
    modelVersion: string,
    lists: readonly { userId: string; items: ListItem[]; vector: Float32Array }[],
  ): Promise<void> {
    if (lists.length === 0) return;
    // In key order, as `lock` takes rows: concurrent writers of overlapping readers never deadlock.
    const rows = [...lists]
      .sort((a, b) => (a.userId < b.userId ? -1 : 1))
      .map((l) => ({
        user_id: l.userId,
        items: l.items,
        vector: Buffer.from(l.vector.buffer, l.vector.byteOffset, l.vector.byteLength).toString('base64'),
      }));
    const written: WrittenList[] = await manager.query(
      `INSERT INTO ${quotedSchema(manager.connection)}.lists AS l
         (user_id, model_version, revision, generated_at, items, vector)
       SELECT x.user_id, $1, 1, now(), x.items, decode(x.vector, 'base64')
       FROM json_to_recordset($2::json) AS x(user_id text, items jsonb, vector text)
       ON CONFLICT (user_id) DO UPDATE SET model_version = EXCLUDED.model_version, revision = l.revision + 1,
         generated_at = EXCLUDED.generated_at, items = EXCLUDED.items, vector = EXCLUDED.vector,
         changed_at = clock_timestamp()
       RETURNING user_id, model_version, revision, generated_at, items`,
      [modelVersion, JSON.stringify(rows)],
    );
    await this.announce(manager, written);
  }

  /** Changed items of existing lists (same model and reader vector). */
  async update(manager: EntityManager, lists: ReadonlyMap<string, ListItem[]>): Promise<void> {
    if (lists.size === 0) return;
    const rows = [...lists]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([user_id, items]) => ({ user_id, items }));
    const written = await updateReturning<WrittenList>(
      manager,
      `UPDATE ${quotedSchema(manager.connection)}.lists AS l
       SET items = x.items, revision = l.revision + 1, generated_at = now(), changed_at = clock_timestamp()
       FROM json_to_recordset($1::json) AS x(user_id text, items jsonb)
       WHERE l.user_id = x.user_id
       RETURNING l.user_id, l.model_version, l.revision, l.generated_at, l.items`,
      [JSON.stringify(rows)],
    );
    await this.announce(manager, written);
  }

  /** The stored lists of these readers, locked until the caller's transaction ends. */
  lock(manager: EntityManager, userIds: readonly string[]): Promise<Map<string, StoredList>> {
    return this.lockWhere(manager, 'user_id = ANY($1)', [userIds]);
  }

  /** The stored lists holding any of these articles, locked. */
  lockHolding(manager: EntityManager, articleIds: readonly string[]): Promise<Map<string, StoredList>> {
    return this.lockWhere(manager, 'items @> ANY($1::jsonb[])', [
      articleIds.map((articleId) => JSON.stringify([{ articleId }])),
    ]);
  }

  // In key order: concurrent writers of overlapping readers never deadlock.
  private async lockWhere(
    manager: EntityManager,
    where: string,
    params: unknown[],
  ): Promise<Map<string, StoredList>> {
    const rows: { user_id: string; model_version: string; items: ListItem[] }[] = await manager.query(
      `SELECT user_id, model_version, items FROM ${quotedSchema(manager.connection)}.lists
       WHERE ${where} ORDER BY user_id FOR UPDATE`,
      params,
    );
    return new Map(rows.map((r) => [r.user_id, { modelVersion: r.model_version, items: r.items }]));
  }

  private async announce(manager: EntityManager, written: WrittenList[]): Promise<void> {
    await this.outbox.enqueue(
      manager,
      topics.recommendationsGenerated,
      written.map((w) => ({
        key: w.user_id,
        value: newEvent(
          topics.recommendationsGenerated.name,
          {
            userId: w.user_id,
            modelVersion: w.model_version,
            generatedAt: w.generated_at.toISOString(),
            revision: w.revision,
            items: w.items,
          },
          'batch-scoring',
          { eventId: derivedEventId(`recommendations:${w.user_id}:${w.revision}`) },
        ),
      })),
      { validate: 'first' },
    );
  }
}
