import { quotedSchema } from '@newsroom/persistence';
import { EntityManager } from 'typeorm';

/** Sequence numbers a snapshot reads up to: every row at or below them was committed before it started. */
export interface HighWaterMarks {
  interactions: number;
  articles: number;
}

export interface ArticleVersion {
  validFrom: number;
  revision: number;
  category: string;
  publisher: string;
  language: string | null;
  tokenHashes: number[];
  publishedAt: number;
  flagged: boolean;
}

/**
 * Interactions in columns (one entry per interaction, in the log's order), readers and articles
 * interned as indexes: millions of rows fit in a few hundred megabytes.
 */
export interface OfflineData {
  userIds: string[];
  articleIds: string[];
  /** Versions per article index, oldest first; empty for an article only ever seen in reads. */
  articleVersions: ArticleVersion[][];
  count: number;
  user: Int32Array;
  article: Int32Array;
  kind: Uint8Array;
  dwell: Float64Array;
  time: Float64Array;
  /** Index in `regions` (the regions as producers reported them), or -1. */
  region: Int16Array;
  regions: string[];
  /** For reads: index in `categories` of the category the read was weighed under online, or -1. */
  category: Int16Array;
  categories: string[];
  /** The log's sequence number: the last tie-break of the replay order. */
  seq: Float64Array;
  /** Event ids of reads (examples carry them); undefined for impressions and clicks. */
  eventId: (string | undefined)[];
}

const CHUNK = 250_000;

/**
 * Reads the offline store as of a snapshot. `highWaterMarks` takes the marks under a SHARE lock:
 * it waits for transactions writing the log to commit, so no row below a mark can appear later,
 * and a rebuild reading up to the same marks reads exactly the same rows.
 */
export class OfflineStore {
  constructor(private readonly manager: EntityManager) {}

  private get s(): string {
    return quotedSchema(this.manager.connection);
  }

  /** Takes the marks and calls `alsoAtTheMark` in the same transaction (e.g. to read source offsets). */
  async highWaterMarks<T>(
    alsoAtTheMark: (manager: EntityManager) => Promise<T>,
  ): Promise<[HighWaterMarks, T]> {
    return this.manager.transaction(async (manager) => {
      await manager.query(`LOCK TABLE ${this.s}.interaction_log, ${this.s}.article_versions IN SHARE MODE`);
      const [row] = await manager.query(
        `SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence($1, 'seq')::regclass), 0) AS interactions,
                coalesce(pg_sequence_last_value(pg_get_serial_sequence($2, 'seq')::regclass), 0) AS articles`,
        [`${this.s}.interaction_log`, `${this.s}.article_versions`],
      );
      const also = await alsoAtTheMark(manager);
      return [{ interactions: Number(row.interactions ?? 0), articles: Number(row.articles) }, also];
    });
  }

  /** Articles and interactions up to the marks, interactions only before `end`. */
  async load(marks: HighWaterMarks, end: number): Promise<OfflineData> {
    const userIndex = new Map<string, number>();
    const articleIndex = new Map<string, number>();
    const data: OfflineData = {
      userIds: [],
      articleIds: [],
      articleVersions: [],
      count: 0,
      user: new Int32Array(1024),
      article: new Int32Array(1024),
      kind: new Uint8Array(1024),
      dwell: new Float64Array(1024),
      time: new Float64Array(1024),
      region: new Int16Array(1024),
      regions: [],
      category: new Int16Array(1024),
      categories: [],
      seq: new Float64Array(1024),
      eventId: [],
    };
    const categoryIndex = new Map<string, number>();
    const articleOf = (id: string) => {
      let index = articleIndex.get(id);
      if (index === undefined) {
        index = data.articleIds.push(id) - 1;
        articleIndex.set(id, index);
        data.articleVersions.push([]);
      }
      return index;
    };

    // Each version arrives already shaped as an ArticleVersion (plus its article's id).
    const [{ versions }]: { versions: (ArticleVersion & { articleId: string })[] }[] =
      await this.manager.query(
        `SELECT coalesce(json_agg(json_build_object(
                'articleId', article_id, 'validFrom', (extract(epoch FROM valid_from) * 1000)::float8,
                'revision', revision, 'category', category, 'publisher', publisher, 'language', language,
                'tokenHashes', token_hashes, 'publishedAt', (extract(epoch FROM published_at) * 1000)::float8,
                'flagged', flagged) ORDER BY seq), '[]') AS versions
       FROM ${this.s}.article_versions WHERE seq <= $1`,
        [marks.articles],
      );
    for (const { articleId, ...version } of versions)
      data.articleVersions[articleOf(articleId)].push(version);

    const regionIndex = new Map<string, number>();
    for (let from = 0; from < marks.interactions; from += CHUNK) {
      const [{ rows }]: {
        rows: [
          string,
          string,
          number,
          number | null,
          number,
          string | null,
          string | null,
          string | null,
          number,
        ][];
      }[] = await this.manager.query(
        `SELECT coalesce(json_agg(json_build_array(user_id, article_id, kind, dwell_seconds,
                    (extract(epoch FROM occurred_at) * 1000)::float8, region, CASE WHEN kind = 2 THEN event_id END,
                    category, seq) ORDER BY seq), '[]') AS rows
           FROM ${this.s}.interaction_log WHERE seq > $1 AND seq <= $2 AND occurred_at < $3`,
        [from, Math.min(from + CHUNK, marks.interactions), new Date(end)],
      );
      this.grow(data, data.count + rows.length);
      for (const [userId, articleId, kind, dwell, time, region, eventId, category, seq] of rows) {
        let u = userIndex.get(userId);
        if (u === undefined) {
          u = data.userIds.push(userId) - 1;
          userIndex.set(userId, u);
        }
        const i = data.count++;
        data.user[i] = u;
        data.article[i] = articleOf(articleId);
        data.kind[i] = kind;
        data.dwell[i] = dwell ?? 0;
        data.time[i] = time;
        if (region === null) {
          data.region[i] = -1;
        } else {
          let r = regionIndex.get(region);
          if (r === undefined) {
            r = data.regions.push(region) - 1;
            regionIndex.set(region, r);
          }
          data.region[i] = r;
        }
        data.eventId[i] = eventId ?? undefined;
        data.seq[i] = seq;
        if (category === null) {
          data.category[i] = -1;
        } else {
          let c = categoryIndex.get(category);
          if (c === undefined) {
            c = data.categories.push(category) - 1;
            categoryIndex.set(category, c);
          }
          data.category[i] = c;
        }
      }
    }
    return data;
  }

  private grow(data: OfflineData, needed: number): void {
    if (needed <= data.user.length) return;
    const size = Math.max(needed, data.user.length * 2);
    const grown = <T extends Int32Array | Uint8Array | Float64Array | Int16Array>(array: T): T => {
      const next = new (array.constructor as new (n: number) => T)(size);
      next.set(array);
      return next;
    };
    data.user = grown(data.user);
    data.article = grown(data.article);
    data.kind = grown(data.kind);
    data.dwell = grown(data.dwell);
    data.time = grown(data.time);
    data.region = grown(data.region);
    data.category = grown(data.category);
    data.seq = grown(data.seq);
  }
}
