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
  private readonly taken = new Map<string, ItemOrigin>();
  private free: number;
  private nextFree = 0;

  constructor(
    limit: number,
    private readonly articles: ArticleStatus,
    private readonly tally: CapTally | undefined,
  ) {
    this.slots = new Array<ServedItem | undefined>(limit);
    this.free = limit;
  }

  /**
   * Places pins (by rank, oldest first within a rank) at their rank, or the next free one when
   * an earlier pin has it; a pin beyond the response's length is not shown. `scoreOf`: the
   * article's score in what the reader would have been served, else 0.
   */
  pin(pins: readonly BoardPin[], scoreOf: (articleId: string) => number): void {
    for (const { articleId, rank } of pins) {
      if (this.taken.has(articleId)) continue;
      if (this.articles.isFlagged(articleId)) {
        this.filtered.push({ articleId, reason: 'flagged' });
        continue;
      }
      let at = rank - 1;
      while (at < this.slots.length && this.slots[at]) at++;
      if (at >= this.slots.length) continue;
      this.place(at, { articleId, rank: 0, score: scoreOf(articleId), origin: 'pinned' });
    }
  }

  /** Fills free slots from `from` in order; `originOf(i)` says where its i-th item came from. */
  fill(from: RankedItems, originOf: (position: number) => ItemOrigin): void {
    for (let i = 0; i < from.articleIds.length && this.free > 0; i++) {
      const articleId = from.articleIds[i];
      if (this.articles.isFlagged(articleId)) {
        this.filtered.push({ articleId, reason: 'flagged' });
        continue;
      }
      const takenAs = this.taken.get(articleId);
      if (takenAs !== undefined) {
        // A pinned article has moved to its pin's rank: it is served, not passed over.
        if (takenAs !== 'pinned') this.filtered.push({ articleId, reason: 'duplicate' });
        continue;
      }
      if (this.tally) {
        const rule = this.tally.exceeded(this.articles.facets(articleId));
        if (rule) {
          this.filtered.push({ articleId, reason: 'editorial-cap', rule });
          continue;
        }
      }
      while (this.slots[this.nextFree]) this.nextFree++;
      this.place(this.nextFree, { articleId, rank: 0, score: from.scores[i], origin: originOf(i) });
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

  private place(at: number, item: ServedItem): void {
    this.slots[at] = item;
    this.taken.set(item.articleId, item.origin ?? 'list');
    this.tally?.add(this.articles.facets(item.articleId));
    this.free--;
  }
}
