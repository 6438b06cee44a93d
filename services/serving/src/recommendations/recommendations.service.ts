import { Injectable } from '@nestjs/common';
import { Region, ServingResponse } from '@newsroom/contracts';
import { RecommendationIndex } from './recommendation-index';

/**
 * A reader's answer: their list without flagged articles (topped up from the fallback if that
 * leaves too few), or, for a reader without a list (unknown, or no model promoted yet), the
 * fresh popular articles of their region (or overall).
 */
@Injectable()
export class RecommendationsService {
  constructor(private readonly index: RecommendationIndex) {}

  recommend(userId: string, limit: number, region?: Region): ServingResponse {
    const list = this.index.list(userId);
    const fallback = this.index.fallback(region ?? 'all') ?? this.index.fallback('all');
    const items: ServingResponse['items'] = [];
    const taken = new Set<string>();
    const take = (source: readonly { articleId: string; score: number }[]) => {
      for (const item of source) {
        if (items.length === limit) return;
        if (taken.has(item.articleId) || this.index.isFlagged(item.articleId)) continue;
        taken.add(item.articleId);
        items.push({ articleId: item.articleId, rank: items.length + 1, score: item.score });
      }
    };
    if (list) {
      take(list.items);
      if (fallback) take(fallback.items);
      return {
        userId,
        modelVersion: list.modelVersion,
        generatedAt: list.generatedAt,
        source: 'personalized',
        items,
      };
    }
    if (fallback) take(fallback.items);
    return {
      userId,
      modelVersion: null,
      generatedAt: fallback?.generatedAt ?? new Date().toISOString(),
      source: 'fallback',
      items,
    };
  }
}
