import { FallbackScope } from '@newsroom/contracts';
import { FallbackList, RecommendationIndex, StoredList } from './recommendation-index';
import { RecommendationsService } from './recommendations.service';

/** The index as the service reads it (its storage is exercised by the integration tests). */
class FakeIndex {
  lists = new Map<string, StoredList>();
  fallbacks = new Map<FallbackScope, FallbackList>();
  flagged = new Set<string>();
  list = (userId: string) => this.lists.get(userId);
  fallback = (scope: FallbackScope) => this.fallbacks.get(scope);
  isFlagged = (articleId: string) => this.flagged.has(articleId);
}

const ranked = (prefix: string, n: number) => ({
  articleIds: Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`),
  scores: Float64Array.from({ length: n }, (_, i) => 1 - i / 100),
});

describe('RecommendationsService', () => {
  let index: FakeIndex;
  let service: RecommendationsService;

  beforeEach(() => {
    index = new FakeIndex();
    index.lists.set('reader', {
      modelVersion: 'v1',
      revision: 3,
      generatedAt: '2026-11-24T08:00:00.000Z',
      ...ranked('a', 12),
    });
    index.fallbacks.set('all', { generatedAt: '2026-11-24T09:00:00.000Z', ...ranked('p', 20) });
    index.fallbacks.set('africa', { generatedAt: '2026-11-24T09:00:00.000Z', ...ranked('af', 20) });
    service = new RecommendationsService(index as unknown as RecommendationIndex);
  });

  it("answers a reader's list in order with ranks, model version and generation time", () => {
    const answer = service.recommend('reader', 3);
    expect(answer).toEqual({
      userId: 'reader',
      modelVersion: 'v1',
      generatedAt: '2026-11-24T08:00:00.000Z',
      source: 'personalized',
      items: [
        { articleId: 'a1', rank: 1, score: 1 },
        { articleId: 'a2', rank: 2, score: 0.99 },
        { articleId: 'a3', rank: 3, score: 0.98 },
      ],
    });
  });

  it('skips flagged articles and tops a short list up from the fallback, without repeating one', () => {
    index.flagged.add('a2');
    index.flagged.add('p1');
    const fallback = index.fallbacks.get('all');
    if (fallback) fallback.articleIds[1] = 'a1';
    const ids = service.recommend('reader', 15).items.map((i) => i.articleId);
    expect(ids).toEqual([
      'a1',
      'a3',
      'a4',
      'a5',
      'a6',
      'a7',
      'a8',
      'a9',
      'a10',
      'a11',
      'a12',
      'p3',
      'p4',
      'p5',
      'p6',
    ]);
  });

  it('gives a reader without a list the fallback of their region, or the overall one', () => {
    expect(service.recommend('stranger', 2, 'africa')).toMatchObject({
      source: 'fallback',
      modelVersion: null,
      items: [{ articleId: 'af1' }, { articleId: 'af2' }],
    });
    expect(service.recommend('stranger', 2, 'north-america').items.map((i) => i.articleId)).toEqual([
      'p1',
      'p2',
    ]);
    expect(service.recommend('stranger', 2).items.map((i) => i.articleId)).toEqual(['p1', 'p2']);
    // Another newsroom's name for a region the platform has no fallback for: treated as none.
    expect(service.recommend('stranger', 2, 'latam').items.map((i) => i.articleId)).toEqual(['p1', 'p2']);
  });

  it('answers an empty fallback before anything was scored', () => {
    index.fallbacks.clear();
    expect(service.recommend('stranger', 10)).toMatchObject({ source: 'fallback', items: [] });
  });
});
