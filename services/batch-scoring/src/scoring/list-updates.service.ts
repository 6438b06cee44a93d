import { Injectable } from '@nestjs/common';
import { recommendationListSize } from '@newsroom/contracts';
import { articleCoalitionCount, attributionRecord, pairAttributions } from '@newsroom/ml';
import { ChampionStore } from '@newsroom/platform';
import { counter } from '@newsroom/observability';
import { DataSource, EntityManager } from 'typeorm';
import { ArticleCatalog } from './article-catalog';
import { ListItem, ReaderLists, WithdrawnList } from './reader-lists';
import { ReaderVector, ReaderVectors } from './reader-vectors';
import { CandidatePool, ScoringEngine } from './scoring-engine';

const freshInserts = counter(
  'scoring_fresh_article_insertions_total',
  "New articles placed into readers' lists without a run",
);

/**
 * Changes to stored lists between runs. A new article is scored against every listed reader and
 * enters each list where it beats the 50th item (no retraining: its vector comes from its words,
 * category and publisher), as a `fresh` item; in an explained list it is explained exactly, from
 * the reader's coalition vectors stored with the list and the article's. A flagged article leaves
 * every list that holds it.
 */
@Injectable()
export class ListUpdatesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly champion: ChampionStore,
    private readonly engine: ScoringEngine,
    private readonly vectors: ReaderVectors,
    private readonly lists: ReaderLists,
    private readonly catalog: ArticleCatalog,
  ) {}

  /** Offers stored articles to every reader's list; the number of lists changed. */
  async offerArticles(articleIds: readonly string[]): Promise<number> {
    const champion = await this.champion.current();
    if (!champion || articleIds.length === 0) return 0;
    const pool = await this.engine.prepare(champion);
    const offered = articleIds.filter((id) => pool.index.has(id));
    if (offered.length === 0) return 0;
    const readers = await this.vectors.current(champion.modelVersion);
    const d = pool.vectors.length / pool.articleIds.length;
    const offers = new Map<string, ListItem[]>();
    for (const [userId, reader] of readers) {
      for (const articleId of offered) {
        if (reader.articleIds.has(articleId)) continue;
        const index = pool.index.get(articleId) ?? 0;
        const at = index * d;
        let score = pool.freshness[index];
        for (let j = 0; j < d; j++) score += reader.vector[j] * pool.vectors[at + j];
        if (score > reader.threshold) {
          const list = offers.get(userId) ?? [];
          list.push(this.freshItem(pool, reader, articleId, score));
          offers.set(userId, list);
        }
      }
    }
    if (offers.size === 0) return 0;
    const changed = await this.dataSource.transaction(async (manager) => {
      const stored = await this.lists.lock(manager, [...offers.keys()]);
      const next = new Map<string, ListItem[]>();
      for (const [userId, items] of offers) {
        const list = stored.get(userId);
        if (list?.modelVersion !== champion.modelVersion) continue;
        const have = new Set(list.items.map((i) => i.articleId));
        const added = items.filter((i) => !have.has(i.articleId));
        const merged = [...list.items, ...added]
          .sort((a, b) => b.score - a.score)
          .slice(0, recommendationListSize);
        if (added.some((i) => merged.includes(i))) next.set(userId, merged);
      }
      await this.lists.update(manager, next);
      return next;
    });
    for (const [userId, items] of changed) this.vectors.updated(userId, items);
    freshInserts.inc(changed.size);
    return changed.size;
  }

  /**
   * A new article as an item of a reader's list: explained when the list is and was explained from
   * the same baseline as the pool (the stored reader coalitions and the article's then add up to
   * its score minus that baseline score).
   */
  private freshItem(pool: CandidatePool, reader: ReaderVector, articleId: string, score: number): ListItem {
    const content = this.catalog.content(articleId);
    const item: ListItem = {
      articleId,
      score,
      origin: 'fresh',
      category: content?.category,
      publisher: content?.publisher,
    };
    const explained = reader.explained;
    if (!pool.coalitions || !explained || explained.baselineScore !== pool.model.attributionBaseline)
      return item;
    const d = pool.vectors.length / pool.articleIds.length;
    const index = pool.index.get(articleId) ?? 0;
    const at = index * articleCoalitionCount * d;
    const values = pairAttributions(
      explained.coalitions,
      pool.coalitions.subarray(at, at + articleCoalitionCount * d),
      d,
      pool.freshness[index],
    );
    return { ...item, attributions: attributionRecord(values) };
  }

  /** Takes articles out of every stored list (in the caller's transaction with the flag itself). */
  withdraw(manager: EntityManager, articleIds: readonly string[]): Promise<WithdrawnList[]> {
    return this.lists.withdraw(manager, articleIds);
  }

  /** Announces the lists `withdraw` rewrote. */
  announceWithdrawn(manager: EntityManager, withdrawn: readonly WithdrawnList[]): Promise<void> {
    return this.lists.announceWithdrawn(manager, withdrawn);
  }
}
