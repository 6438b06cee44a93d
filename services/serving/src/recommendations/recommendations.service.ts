import { Injectable } from '@nestjs/common';
import { Region, ServingResponse, overallFallbackScope } from '@newsroom/contracts';
import { EditorialCaps } from '../editorial/editorial-caps';
import { PinBoard } from '../editorial/pin-board';
import { RankedItems, RecommendationIndex, StoredList } from './recommendation-index';
import { FilteredItem, ResponseDraft } from './response-draft';

/** An answer, and what its served record adds: the items passed over, the list it came from. */
export interface Recommendation {
  response: ServingResponse;
  filtered: FilteredItem[];
  list: StoredList | undefined;
}

/**
 * A reader's answer: their list without flagged articles (topped up from the fallback if that
 * leaves too few), or, for a reader without a list (unknown, or no model promoted yet), the
 * fresh popular articles of their region, or overall for a region the platform has no fallback
 * for (not in PLATFORM_REGIONS) or none. Editorial rules apply after personalization: editors'
 * pins of the region take their ranks, and caps per publisher and category leave items out (the
 * next ones move up; the top-up obeys them too).
 */
@Injectable()
export class RecommendationsService {
  constructor(
    private readonly index: RecommendationIndex,
    private readonly pins: PinBoard,
    private readonly caps: EditorialCaps,
  ) {}

  recommend(userId: string, limit: number, region?: Region): Recommendation {
    const list = this.index.list(userId);
    const fallback = (region && this.index.fallback(region)) || this.index.fallback(overallFallbackScope);
    const draft = new ResponseDraft(limit, this.index, this.caps.tally());
    const pins = this.pins.forRequest(region);
    if (pins.length > 0) draft.pin(pins, (articleId) => scoreIn(articleId, list, fallback));
    if (list) {
      draft.fill(list, 'list', list.freshAt);
      if (fallback) draft.fill(fallback, 'top-up');
    } else if (fallback) draft.fill(fallback, 'fallback');
    return {
      response: {
        userId,
        modelVersion: list?.modelVersion ?? null,
        generatedAt: list?.generatedAt ?? fallback?.generatedAt ?? new Date().toISOString(),
        source: list ? 'personalized' : 'fallback',
        items: draft.items(),
      },
      filtered: draft.filtered,
      list,
    };
  }
}

/** A pinned article's score: the reader's list's, else the fallback's, else 0. */
function scoreIn(articleId: string, ...sources: (RankedItems | undefined)[]): number {
  for (const source of sources) {
    const at = source?.articleIds.indexOf(articleId) ?? -1;
    if (at >= 0 && source) return source.scores[at];
  }
  return 0;
}
