import { Injectable } from '@nestjs/common';
import { Region, ServingResponse, overallFallbackScope } from '@newsroom/contracts';
import { RankedItems, RecommendationIndex } from './recommendation-index';

/**
 * A reader's answer: their list without flagged articles (topped up from the fallback if that
 * leaves too few), or, for a reader without a list (unknown, or no model promoted yet), the
 * fresh popular articles of their region, or overall for a region the platform has no fallback
 * for (not in PLATFORM_REGIONS) or none.
 */
@Injectable()
export class RecommendationsService {
  constructor(private readonly index: RecommendationIndex) {}

  recommend(userId: string, limit: number, region?: Region): ServingResponse {
    const list = this.index.list(userId);
    const fallback = (region && this.index.fallback(region)) || this.index.fallback(overallFallbackScope);
    const items: ServingResponse['items'] = [];
    if (list) {
      this.take(list, items, limit);
      if (fallback && items.length < limit) this.take(fallback, items, limit);
      return {
        userId,
        modelVersion: list.modelVersion,
        generatedAt: list.generatedAt,
        source: 'personalized',
        items,
      };
    }
    if (fallback) this.take(fallback, items, limit);
    return {
      userId,
      modelVersion: null,
      generatedAt: fallback?.generatedAt ?? new Date().toISOString(),
      source: 'fallback',
      items,
    };
  }

  /** Appends ranked items not flagged and not already taken, up to `limit`. */
  private take(from: RankedItems, items: ServingResponse['items'], limit: number): void {
    const already = items.length;
    for (let i = 0; i < from.articleIds.length && items.length < limit; i++) {
      const articleId = from.articleIds[i];
      if (this.index.isFlagged(articleId)) continue;
      if (already > 0 && items.some((item) => item.articleId === articleId)) continue;
      items.push({ articleId, rank: items.length + 1, score: from.scores[i] });
    }
  }
}
