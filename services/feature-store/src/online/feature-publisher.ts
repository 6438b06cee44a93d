import { Inject, Injectable } from '@nestjs/common';
import { TopicDefinition, derivedEventId, newEvent, topics } from '@newsroom/contracts';
import { EventPublisher, KafkaTransport } from '@newsroom/messaging';
import { quotedSchema, schemaOf, tryWithAdvisoryLock } from '@newsroom/persistence';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource, EntityManager } from 'typeorm';
import { FeatureStoreConfig } from '../config';
import { articleFeatureViews, userFeatureViews } from './feature-views';
import { FeatureMetrics } from './feature-metrics';
import { PublicationHold } from './publication-hold';

interface PublishedEntity {
  name: 'user' | 'article';
  table: string;
  /** A changed entity is published again once this long has passed since its last publication. */
  republishAfterMs: (config: FeatureStoreConfig) => number;
  idColumn: string;
  /** Checked at runtime by the publisher against the topic's contract. */
  topic: TopicDefinition;
  views(manager: EntityManager, ids: string[]): Promise<{ id: string; view: { version: number } }[]>;
}

const publishedEntities: Record<PublishedEntity['name'], PublishedEntity> = {
  user: {
    name: 'user',
    table: 'user_features',
    republishAfterMs: (config) => config.FEATURES_REPUBLISH_USERS_AFTER_MS,
    idColumn: 'user_id',
    topic: topics.featuresUsers,
    views: async (manager, ids) =>
      (await userFeatureViews(manager, ids)).map((view) => ({ id: view.userId, view })),
  },
  article: {
    name: 'article',
    table: 'article_features',
    republishAfterMs: (config) => config.FEATURES_REPUBLISH_ARTICLES_AFTER_MS,
    idColumn: 'article_id',
    topic: topics.featuresArticles,
    views: async (manager, ids) =>
      (await articleFeatureViews(manager, ids)).map((view) => ({ id: view.articleId, view })),
  },
};

/**
 * Publishes the latest state of every changed reader and article to the compacted topics. Rows whose
 * `version` is ahead of `published_version` are due, a new entity at once and a changed one once
 * its republish interval has passed; many changes to one entity in between go out as one message
 * (only the latest value of a key matters on a compacted topic): during a bulk load, a busy reader
 * or article is one message per interval, not one per event. While the store is far behind its
 * inputs (FEATURES_PUBLISH_HOLD_LAG), publication holds altogether, for at most
 * FEATURES_PUBLISH_HOLD_MAX_MS: every state it would publish is about to change again. A crash
 * between publishing and marking only republishes the same version, with the same event id.
 * One replica publishes at a time (a session advisory lock), so a key's versions reach the topic in
 * order; no row is locked while a batch is on its way to Kafka.
 */
@Injectable()
export class FeaturePublisher extends PeriodicJob {
  private readonly lockName: string;
  private readonly hold: PublicationHold;
  private lagCheckedAt = 0;
  private inputLag = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly transport: KafkaTransport,
    private readonly metrics: FeatureMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: FeatureStoreConfig,
  ) {
    super('FeaturePublisher', config.FEATURES_PUBLISH_INTERVAL_MS);
    this.lockName = `feature-publisher:${schemaOf(dataSource)}`;
    this.hold = new PublicationHold(config.FEATURES_PUBLISH_HOLD_LAG, config.FEATURES_PUBLISH_HOLD_MAX_MS);
  }

  protected runOnce(): Promise<boolean> {
    return this.publishDue();
  }

  /** Publishes one batch of due readers and articles; true when more are due. */
  async publishDue(): Promise<boolean> {
    if (await this.holding()) return false;
    const more = await tryWithAdvisoryLock(this.dataSource, this.lockName, async () => {
      const users = await this.publishEntity(publishedEntities.user);
      const articles = await this.publishEntity(publishedEntities.article);
      const backlog = await this.backlog();
      this.metrics.backlog(backlog.users, backlog.articles);
      return users || articles;
    });
    return more ?? false;
  }

  /** Whether to hold publication now (PublicationHold), by this store's consumer lag. */
  private async holding(): Promise<boolean> {
    if (this.config.FEATURES_PUBLISH_HOLD_LAG === 0) return false;
    const now = Date.now();
    // The lag costs the broker a few requests: looked at every few seconds.
    if (now - this.lagCheckedAt >= 5_000) {
      this.lagCheckedAt = now;
      this.inputLag = (await this.transport.lag()).reduce((sum, p) => sum + p.lag, 0);
    }
    const holds = this.hold.holds(this.inputLag, now);
    this.metrics.holding(holds);
    return holds;
  }

  /** Rows not yet published; 0 once the topics have caught up with the store. */
  private async backlog(): Promise<{ users: number; articles: number }> {
    const s = quotedSchema(this.dataSource);
    const [row] = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM ${s}.user_features WHERE version > published_version)::int AS users,
              (SELECT count(*) FROM ${s}.article_features WHERE version > published_version)::int AS articles`,
    );
    return row;
  }

  /** Publishes one batch of an entity's due rows; true when a full batch went (more may be due). */
  private async publishEntity(entity: PublishedEntity): Promise<boolean> {
    const manager = this.dataSource.manager;
    const table = `${quotedSchema(manager.connection)}.${entity.table}`;
    const due: { id: string }[] = await manager.query(
      `SELECT ${entity.idColumn} AS id FROM ${table}
       WHERE version > published_version
         AND (last_published_at IS NULL OR last_published_at <= now() - make_interval(secs => $2))
       LIMIT $1`,
      [this.config.FEATURES_PUBLISH_BATCH_SIZE, entity.republishAfterMs(this.config) / 1000],
    );
    if (due.length === 0) return false;
    const views = await entity.views(
      manager,
      due.map((d) => d.id),
    );
    await this.publisher.publish(
      entity.topic,
      views.map(({ id, view }) => ({
        key: id,
        value: newEvent(entity.topic.name, view, 'feature-store', {
          eventId: derivedEventId(`${entity.topic.name}:${id}:${view.version}`),
        }),
      })),
    );
    await this.markPublished(
      manager,
      table,
      entity.idColumn,
      views.map(({ id, view }) => [id, view.version]),
    );
    this.metrics.published(entity.name, views.length);
    return due.length === this.config.FEATURES_PUBLISH_BATCH_SIZE;
  }

  /** Marks the versions that went out; a row changed meanwhile stays due. */
  private async markPublished(
    manager: EntityManager,
    table: string,
    idColumn: string,
    published: [string, number][],
  ) {
    const sorted = [...published].sort(([a], [b]) => (a < b ? -1 : 1));
    const ids = sorted.map(([id]) => id);
    await manager.transaction(async (tx) => {
      // Row locks in the same (sorted) order as the consumers take them.
      await tx.query(
        `SELECT 1 FROM ${table} WHERE ${idColumn} = ANY($1::text[]) ORDER BY ${idColumn} FOR UPDATE`,
        [ids],
      );
      await tx.query(
        `UPDATE ${table} t SET published_version = p.version, last_published_at = now()
         FROM unnest($1::text[], $2::bigint[]) AS p(id, version)
         WHERE t.${idColumn} = p.id AND t.published_version < p.version`,
        [ids, sorted.map(([, version]) => version)],
      );
    });
  }
}
