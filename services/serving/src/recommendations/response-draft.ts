import { ServingResponse, TopicPayload, topics } from '@newsroom/contracts';
import { ArticleFacets, CapTally } from '../editorial/editorial-caps';
import { BoardPin } from '../editorial/pin-board';
import { RankedItems } from './recommendation-index';

export type ServedItem = ServingResponse['items'][number];
export type ItemOrigin = NonNullable<ServedItem['origin']>;
export type FilteredItem = NonNullable<TopicPayload<typeof topics.recommendationsServed>['filtered']>[number];

/** What a draft asks of the index. */
export interface ArticleStatus {
  isFlagged(articleId: string): boolean;
  facets(articleId: string): ArticleFacets | undefined;
}

/**
 * One response being filled, `limit` slots: editors' pins first, at their ranks, then the ranked
 * sources in order into the free slots, passing over (and noting why) flagged articles, ones
 * already taken, and ones a cap (`tally`, when caps are configured) leaves out. Only items looked
 * at while slots were free are noted. Pins count towards the caps but are never left out by one.
 */
export class ResponseDraft {
  readonly filtered: FilteredItem[] = [];
  private readonly slots: (ServedItem | undefined)[];
  private free: number;
  private nextFree = 0;

  constructor(
    limit: number,
    private readonly articles: ArticleStatus,
    private readonly tally: CapTally | undefined,
  ) {
    // Filled in a loop: a packed array (`new Array(n)` and `Array.from` cost more per request).
    this.slots = [];
    for (let at = 0; at < limit; at++) this.slots.push(undefined);
    this.free = limit;
  }

  /**
   * Places pins (by rank, oldest first within a rank) at their rank, or the next free one when
   * an earlier pin has it; a pin beyond the response's length is not shown. `scoreOf`: the
   * article's score in what the reader would have been served, else 0.
   */
  pin(pins: readonly BoardPin[], scoreOf: (articleId: string) => number): void {
    for (const { articleId, rank } of pins) {
      if (this.takenAs(articleId) !== undefined) continue;
      if (this.articles.isFlagged(articleId)) {
        this.filtered.push({ articleId, reason: 'flagged' });
        continue;
      }
      let at = rank - 1;
      while (at < this.slots.length && this.slots[at]) at++;
      if (at >= this.slots.length) continue;
      const item: ServedItem = { articleId, rank: 0, score: scoreOf(articleId), origin: 'pinned' };
      this.place(at, item, this.tally && this.articles.facets(articleId));
    }
  }

  /**
   * Fills free slots from `from` in order, its items of the given origin; those at `freshAt` were
   * placed into the list between scoring runs.
   */
  fill(from: RankedItems, origin: ItemOrigin, freshAt?: readonly number[]): void {
    let nextFresh = 0;
    for (let i = 0; i < from.articleIds.length && this.free > 0; i++) {
      const articleId = from.articleIds[i];
      if (this.articles.isFlagged(articleId)) {
        this.filtered.push({ articleId, reason: 'flagged' });
        continue;
      }
      const takenAs = this.takenAs(articleId);
      if (takenAs !== undefined) {
        // A pinned article has moved to its pin's rank: it is served, not passed over.
        if (takenAs !== 'pinned') this.filtered.push({ articleId, reason: 'duplicate' });
        continue;
      }
      const facets = this.tally && this.articles.facets(articleId);
      const rule = this.tally?.exceeded(facets);
      if (rule) {
        this.filtered.push({ articleId, reason: 'editorial-cap', rule });
        continue;
      }
      while (this.slots[this.nextFree]) this.nextFree++;
      // freshAt is ascending: a pointer into it instead of a search per item.
      while (freshAt !== undefined && nextFresh < freshAt.length && freshAt[nextFresh] < i) nextFresh++;
      const itemOrigin = freshAt !== undefined && freshAt[nextFresh] === i ? 'fresh' : origin;
      this.place(this.nextFree, { articleId, rank: 0, score: from.scores[i], origin: itemOrigin }, facets);
    }
  }

  /** The items in order, ranked from 1 (placed unranked): slots left free (a short list) close up. */
  items(): ServedItem[] {
    const items: ServedItem[] = [];
    for (const item of this.slots) {
      if (!item) continue;
      item.rank = items.length + 1;
      items.push(item);
    }
    return items;
  }

  /** The origin of the item already taken for this article, if any (a response holds at most 50). */
  private takenAs(articleId: string): ItemOrigin | undefined {
    for (let at = 0; at < this.slots.length; at++) {
      const item = this.slots[at];
      if (item !== undefined && item.articleId === articleId) return item.origin;
    }
    return undefined;
  }

  private place(at: number, item: ServedItem, facets: ArticleFacets | undefined): void {
    this.slots[at] = item;
    this.tally?.add(facets);
    this.free--;
  }
}
