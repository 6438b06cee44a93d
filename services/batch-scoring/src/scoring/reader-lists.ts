import { Injectable } from '@nestjs/common';
import { TopicPayload, derivedEventId, newEvent, topics } from '@newsroom/contracts';
import { Outbox, quotedSchema, updateReturning } from '@newsroom/persistence';
import { EntityManager } from 'typeorm';

/** An item as `recommendations.generated` carries it: its score, origin, category, publisher, attributions. */
export type ListItem = TopicPayload<typeof topics.recommendationsGenerated>['items'][number];

/** The model a list was scored with, and what its items' attributions are measured from. */
export interface ListModel {
  modelVersion: string;
  /** The baseline score (absent: the list is not explained). */
  attributionBaseline?: number;
  datasetId?: string;
  featureSchemaVersion?: number;
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
  attribution_baseline: number | null;
  dataset_id: string | null;
  feature_schema_version: number | null;
}

/** A list a takedown rewrote, as announced but for its items. */
export type WithdrawnList = Omit<WrittenList, 'items'>;

/** Where written lists are announced. */
const announced = topics.recommendationsGenerated;

/** What writers return of a list they wrote (`l`), to announce it; `announcedColumns` without the items. */
const listColumns = (withItems: boolean) =>
  [
    'user_id',
    'model_version',
    'revision',
    'generated_at',
    ...(withItems ? ['items'] : []),
    'attribution_baseline',
    'dataset_id',
    'feature_schema_version',
  ]
    .map((column) => `l.${column}`)
    .join(', ');
const returnedColumns = listColumns(true);
const announcedColumns = listColumns(false);

const base64 = (values: Float32Array) =>
  Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');

/**
 * Readers' current lists, and their publication: every write bumps the list's revision and puts
 * the whole list on `recommendations.generated` through the outbox, in the writer's transaction
 * (a list is announced if and only if it was stored; serving keeps the highest revision).
 */
@Injectable()
export class ReaderLists {
  constructor(private readonly outbox: Outbox) {}

  /**
   * New lists, scored with `model`, with the reader vectors they were scored with (and, for
   * explained lists, the readers' coalition vectors).
   */
  async replace(
    manager: EntityManager,
    model: ListModel,
    lists: readonly {
      userId: string;
      items: ListItem[];
      vector: Float32Array;
      readerCoalitions?: Float32Array;
    }[],
  ): Promise<void> {
    if (lists.length === 0) return;
    const { readers, flagged } = await this.stillWritable(manager, lists);
    // In key order, as `lock` takes rows: concurrent writers of overlapping readers never deadlock.
    const rows = [...lists]
      .filter((l) => readers.has(l.userId))
      .sort((a, b) => (a.userId < b.userId ? -1 : 1))
      .map((l) => ({
        user_id: l.userId,
        items: flagged.size === 0 ? l.items : l.items.filter((i) => !flagged.has(i.articleId)),
        vector: base64(l.vector),
        reader_coalitions: l.readerCoalitions ? base64(l.readerCoalitions) : null,
      }));
    const stored: WrittenList[] = await manager.query(
      `INSERT INTO ${quotedSchema(manager.connection)}.lists AS l
         (user_id, model_version, revision, generated_at, items, vector, reader_coalitions,
          attribution_baseline, dataset_id, feature_schema_version)
       SELECT x.user_id, $1, 1, now(), x.items, decode(x.vector, 'base64'), decode(x.reader_coalitions, 'base64'),
         $3::double precision, $4::text, $5::integer
       FROM json_to_recordset($2::json) AS x(user_id text, items jsonb, vector text, reader_coalitions text)
       ON CONFLICT (user_id) DO UPDATE SET model_version = EXCLUDED.model_version, revision = l.revision + 1,
         generated_at = EXCLUDED.generated_at, items = EXCLUDED.items, vector = EXCLUDED.vector,
         reader_coalitions = EXCLUDED.reader_coalitions, attribution_baseline = EXCLUDED.attribution_baseline,
         dataset_id = EXCLUDED.dataset_id, feature_schema_version = EXCLUDED.feature_schema_version,
         changed_at = clock_timestamp()
       RETURNING ${returnedColumns}`,
      [
        model.modelVersion,
        JSON.stringify(rows),
        model.attributionBaseline ?? null,
        model.datasetId ?? null,
        model.featureSchemaVersion ?? null,
      ],
    );
    await this.announce(manager, stored);
  }

  /**
   * What a run may still write, checked in its writing transaction: lists only for readers still
   * here (one erased since they were scored gets none) and without articles flagged since the pool
   * was prepared. The rows stay locked (key share on readers, share on articles) until the write
   * commits, so an erasure or a flag committing meanwhile waits for it, and then removes what it
   * wrote: no list outlives its reader's erasure or its article's takedown receipt.
   */
  private async stillWritable(
    manager: EntityManager,
    lists: readonly { userId: string; items: ListItem[] }[],
  ): Promise<{ readers: Set<string>; flagged: Set<string> }> {
    const s = quotedSchema(manager.connection);
    const userIds = lists.map((l) => l.userId).sort();
    const articleIds = [...new Set(lists.flatMap((l) => l.items.map((i) => i.articleId)))].sort();
    const readers: { user_id: string }[] = await manager.query(
      `SELECT user_id FROM ${s}.readers WHERE user_id = ANY($1) ORDER BY user_id FOR KEY SHARE`,
      [userIds],
    );
    const articles: { article_id: string; flagged: boolean }[] = await manager.query(
      `SELECT article_id, flagged FROM ${s}.articles WHERE article_id = ANY($1) ORDER BY article_id FOR SHARE`,
      [articleIds],
    );
    return {
      readers: new Set(readers.map((r) => r.user_id)),
      flagged: new Set(articles.filter((a) => a.flagged).map((a) => a.article_id)),
    };
  }

  /** Changed items of existing lists (same model, reader vector and baseline). */
  async update(manager: EntityManager, lists: ReadonlyMap<string, ListItem[]>): Promise<void> {
    if (lists.size === 0) return;
    const rows = [...lists]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([user_id, items]) => ({ user_id, items }));
    const updated = await updateReturning<WrittenList>(
      manager,
      `UPDATE ${quotedSchema(manager.connection)}.lists AS l
       SET items = x.items, revision = l.revision + 1, generated_at = now(), changed_at = clock_timestamp()
       FROM json_to_recordset($1::json) AS x(user_id text, items jsonb)
       WHERE l.user_id = x.user_id
       RETURNING ${returnedColumns}`,
      [JSON.stringify(rows)],
    );
    await this.announce(manager, updated);
  }

  /** The stored lists of these readers, locked until the caller's transaction ends. */
  lock(manager: EntityManager, userIds: readonly string[]): Promise<Map<string, StoredList>> {
    return this.lockWhere(manager, 'user_id = ANY($1)', [userIds]);
  }

  /**
   * Takes articles out of every stored list holding them; returns those lists, for
   * `announceWithdrawn`. A takedown of a popular article rewrites ~1,800 pilot lists of ~15 kB:
   * the items are filtered in PostgreSQL and never travel here. The holders are locked first, in
   * key order.
   */
  async withdraw(manager: EntityManager, articleIds: readonly string[]): Promise<WithdrawnList[]> {
    if (articleIds.length === 0) return [];
    const s = quotedSchema(manager.connection);
    // The expression of the lists_article_ids index.
    const holders: { user_id: string }[] = await manager.query(
      `SELECT user_id FROM ${s}.lists WHERE jsonb_path_query_array(items, '$[*].articleId') @> ANY($1::jsonb[])
       ORDER BY user_id FOR UPDATE`,
      [articleIds.map((articleId) => JSON.stringify([articleId]))],
    );
    if (holders.length === 0) return [];
    return updateReturning<WithdrawnList>(
      manager,
      `UPDATE ${s}.lists AS l
       SET items = jsonb_path_query_array(l.items, '$[*] ? (!(@.articleId == $gone[*]))', jsonb_build_object('gone', $2::jsonb)),
         revision = l.revision + 1, generated_at = now(), changed_at = clock_timestamp()
       WHERE l.user_id = ANY($1::text[])
       RETURNING ${announcedColumns}`,
      [holders.map((h) => h.user_id), JSON.stringify(articleIds)],
    );
  }

  /**
   * Announces withdrawn lists: each announcement is built here without its items, which the
   * database puts in from the table (`Outbox.enqueueSelected`), so ~30 MB need not travel here and
   * back.
   */
  async announceWithdrawn(manager: EntityManager, withdrawn: readonly WithdrawnList[]): Promise<void> {
    if (withdrawn.length === 0) return;
    await this.outbox.enqueueSelected(
      manager,
      announced,
      `SELECT a.key, jsonb_set(a.value, '{payload,items}', l.items)::json AS value
       FROM jsonb_to_recordset($1::jsonb) AS a(key text, value jsonb)
       JOIN ${quotedSchema(manager.connection)}.lists AS l ON l.user_id = a.key ORDER BY a.key`,
      [JSON.stringify(withdrawn.map((w) => this.announcement({ ...w, items: [] })))],
    );
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

  private async announce(manager: EntityManager, lists: WrittenList[]): Promise<void> {
    await this.outbox.enqueue(
      manager,
      announced,
      lists.map((w) => this.announcement(w)),
      { validate: 'first' },
    );
  }

  private announcement(w: WrittenList) {
    return {
      key: w.user_id,
      value: newEvent(
        announced.name,
        {
          userId: w.user_id,
          modelVersion: w.model_version,
          generatedAt: w.generated_at.toISOString(),
          revision: w.revision,
          items: w.items,
          ...(w.dataset_id !== null ? { datasetId: w.dataset_id } : {}),
          ...(w.feature_schema_version !== null ? { featureSchemaVersion: w.feature_schema_version } : {}),
          ...(w.attribution_baseline !== null ? { attributionBaseline: w.attribution_baseline } : {}),
        },
        'batch-scoring',
        { eventId: derivedEventId(`recommendations:${w.user_id}:${w.revision}`) },
      ),
    };
  }
}
