import { FallbackScope } from '@newsroom/contracts';
import { ArticleFacets, EditorialCaps, EditorialCapsSettings } from '../editorial/editorial-caps';
import { BoardPin, PinBoard } from '../editorial/pin-board';
import { FallbackList, RecommendationIndex, StoredList } from './recommendation-index';
import { RecommendationsService } from './recommendations.service';

/** The index as the service reads it (its storage is exercised by the integration tests). */
class FakeIndex {
  lists = new Map<string, StoredList>();
  fallbacks = new Map<FallbackScope, FallbackList>();
  flagged = new Set<string>();
  articleFacets = new Map<string, ArticleFacets>();
  list = (userId: string) => this.lists.get(userId);
  fallback = (scope: FallbackScope) => this.fallbacks.get(scope);
  isFlagged = (articleId: string) => this.flagged.has(articleId);
  facets = (articleId: string) => this.articleFacets.get(articleId);
}

/** The pins the service is given for a request (PinBoard's own filtering is specified apart). */
class FakePins {
  pins: BoardPin[] = [];
  forRequest = () => this.pins;
}

const ranked = (prefix: string, n: number) => ({
  articleIds: Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`),
  scores: Float64Array.from({ length: n }, (_, i) => 1 - i / 100),
});

const pin = (articleId: string, rank: number): BoardPin => ({
  articleId,
  rank,
  region: null,
  expiresAt: Date.now() + 60_000,
});

describe('RecommendationsService', () => {
  let index: FakeIndex;
  let pins: FakePins;
  let caps: EditorialCapsSettings;
  const service = () =>
    new RecommendationsService(
      index as unknown as RecommendationIndex,
      pins as unknown as PinBoard,
      new EditorialCaps(caps),
    );
  const ids = (userId: string, limit: number, region?: string) =>
    service()
      .recommend(userId, limit, region)
      .response.items.map((i) => i.articleId);

  beforeEach(() => {
    index = new FakeIndex();
    pins = new FakePins();
    caps = {};
    index.lists.set('reader', {
      modelVersion: 'v1',
      revision: 3,
      generatedAt: '2026-11-24T08:00:00.000Z',
      datasetId: 'd'.repeat(64),
      featureSchemaVersion: 2,
      freshAt: undefined,
      ...ranked('a', 12),
    });
    index.fallbacks.set('all', { generatedAt: '2026-11-24T09:00:00.000Z', ...ranked('p', 20) });
    index.fallbacks.set('africa', { generatedAt: '2026-11-24T09:00:00.000Z', ...ranked('af', 20) });
  });

  it("answers a reader's list in order with ranks, origins, model version and generation time", () => {
    const answer = service().recommend('reader', 3);
    expect(answer.response).toEqual({
      userId: 'reader',
      modelVersion: 'v1',
      generatedAt: '2026-11-24T08:00:00.000Z',
      source: 'personalized',
      items: [
        { articleId: 'a1', rank: 1, score: 1, origin: 'list' },
        { articleId: 'a2', rank: 2, score: 0.99, origin: 'list' },
        { articleId: 'a3', rank: 3, score: 0.98, origin: 'list' },
      ],
    });
    expect(answer.filtered).toEqual([]);
    expect(answer.list).toMatchObject({ datasetId: 'd'.repeat(64), featureSchemaVersion: 2, revision: 3 });
  });

  it('says which items were placed into the list between scoring runs', () => {
    const list = index.lists.get('reader');
    if (list) list.freshAt = [1];
    expect(
      service()
        .recommend('reader', 3)
        .response.items.map((i) => i.origin),
    ).toEqual(['list', 'fresh', 'list']);
  });

  it('skips flagged articles and tops a short list up from the fallback, noting what it passed over', () => {
    index.flagged.add('a2');
    index.flagged.add('p1');
    const fallback = index.fallbacks.get('all');
    if (fallback) fallback.articleIds[1] = 'a1';
    const answer = service().recommend('reader', 15);
    expect(answer.response.items.map((i) => [i.articleId, i.origin])).toEqual([
      ...['a1', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10', 'a11', 'a12'].map((id) => [id, 'list']),
      ...['p3', 'p4', 'p5', 'p6'].map((id) => [id, 'top-up']),
    ]);
    expect(answer.response.items.map((i) => i.rank)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(answer.filtered).toEqual([
      { articleId: 'a2', reason: 'flagged' },
      { articleId: 'p1', reason: 'flagged' },
      { articleId: 'a1', reason: 'duplicate' },
    ]);
  });

  it('notes only the items it looked at while filling the response', () => {
    index.flagged.add('a2');
    index.flagged.add('a9');
    expect(service().recommend('reader', 3).filtered).toEqual([{ articleId: 'a2', reason: 'flagged' }]);
  });

  it('gives a reader without a list the fallback of their region, or the overall one', () => {
    const answer = service().recommend('stranger', 2, 'africa');
    expect(answer.response).toMatchObject({
      source: 'fallback',
      modelVersion: null,
      items: [
        { articleId: 'af1', origin: 'fallback' },
        { articleId: 'af2', origin: 'fallback' },
      ],
    });
    expect(answer.list).toBeUndefined();
    expect(ids('stranger', 2, 'north-america')).toEqual(['p1', 'p2']);
    expect(ids('stranger', 2)).toEqual(['p1', 'p2']);
    // Another newsroom's name for a region the platform has no fallback for: treated as none.
    expect(ids('stranger', 2, 'latam')).toEqual(['p1', 'p2']);
  });

  it('answers an empty fallback before anything was scored', () => {
    index.fallbacks.clear();
    expect(service().recommend('stranger', 10).response).toMatchObject({ source: 'fallback', items: [] });
  });

  describe('editorial caps', () => {
    beforeEach(() => {
      // a1–a12 alternate between two publishers; a1, a2 and a3 are politics.
      for (let i = 1; i <= 12; i++)
        index.articleFacets.set(`a${i}`, {
          publisher: i % 2 === 1 ? 'odd-times' : 'even-post',
          category: i <= 3 ? 'politics' : 'science',
        });
    });

    it('leaves out what a cap forbids, moving the next items up, and names the rule', () => {
      caps = { publisher: { default: 3, overrides: { 'even-post': 1 } } };
      const answer = service().recommend('reader', 5);
      expect(answer.response.items.map((i) => [i.articleId, i.rank])).toEqual([
        ['a1', 1],
        ['a2', 2],
        ['a3', 3],
        ['a5', 4],
        ['p1', 5],
      ]);
      expect(answer.filtered).toEqual([
        { articleId: 'a4', reason: 'editorial-cap', rule: 'publisher:even-post' },
        { articleId: 'a6', reason: 'editorial-cap', rule: 'publisher:even-post' },
        { articleId: 'a7', reason: 'editorial-cap', rule: 'publisher:odd-times' },
        { articleId: 'a8', reason: 'editorial-cap', rule: 'publisher:even-post' },
        { articleId: 'a9', reason: 'editorial-cap', rule: 'publisher:odd-times' },
        { articleId: 'a10', reason: 'editorial-cap', rule: 'publisher:even-post' },
        { articleId: 'a11', reason: 'editorial-cap', rule: 'publisher:odd-times' },
        { articleId: 'a12', reason: 'editorial-cap', rule: 'publisher:even-post' },
      ]);
    });

    it('caps categories too, and applies them to the fallback top-up', () => {
      caps = { category: { overrides: { politics: 1, science: 2 } } };
      index.articleFacets.set('p1', { category: 'politics' });
      index.articleFacets.set('p2', { category: 'science' });
      const answer = service().recommend('reader', 5);
      expect(answer.response.items.map((i) => [i.articleId, i.origin])).toEqual([
        ['a1', 'list'],
        ['a4', 'list'],
        ['a5', 'list'],
        ['p3', 'top-up'],
        ['p4', 'top-up'],
      ]);
      expect(answer.filtered.filter((f) => f.articleId.startsWith('p'))).toEqual([
        { articleId: 'p1', reason: 'editorial-cap', rule: 'category:politics' },
        { articleId: 'p2', reason: 'editorial-cap', rule: 'category:science' },
      ]);
    });

    it('never caps an item whose publisher and category are unknown, nor anything when no cap is set', () => {
      caps = { publisher: { default: 1, overrides: {} } };
      index.articleFacets.clear();
      expect(ids('reader', 4)).toEqual(['a1', 'a2', 'a3', 'a4']);
      caps = {};
      index.articleFacets.set('a2', { publisher: 'odd-times' });
      expect(ids('reader', 4)).toEqual(['a1', 'a2', 'a3', 'a4']);
    });
  });

  describe("editors' pins", () => {
    it('places a pinned article at its rank, the list moving down, scored 0 when the list lacks it', () => {
      pins.pins = [pin('breaking', 2)];
      const items = service().recommend('reader', 4).response.items;
      expect(items).toEqual([
        { articleId: 'a1', rank: 1, score: 1, origin: 'list' },
        { articleId: 'breaking', rank: 2, score: 0, origin: 'pinned' },
        { articleId: 'a2', rank: 3, score: 0.99, origin: 'list' },
        { articleId: 'a3', rank: 4, score: 0.98, origin: 'list' },
      ]);
    });

    it("moves a pinned article already in the list to its pin's rank, with its score, served once", () => {
      pins.pins = [pin('a5', 1)];
      const answer = service().recommend('reader', 6);
      expect(answer.response.items.map((i) => [i.articleId, i.origin, i.score])).toEqual([
        ['a5', 'pinned', 0.96],
        ['a1', 'list', 1],
        ['a2', 'list', 0.99],
        ['a3', 'list', 0.98],
        ['a4', 'list', 0.97],
        ['a6', 'list', 0.95],
      ]);
      expect(answer.filtered).toEqual([]);
    });

    it('never serves a flagged pinned article, and notes it', () => {
      pins.pins = [pin('bad', 1)];
      index.flagged.add('bad');
      const answer = service().recommend('reader', 3);
      expect(answer.response.items.map((i) => i.articleId)).toEqual(['a1', 'a2', 'a3']);
      expect(answer.filtered).toEqual([{ articleId: 'bad', reason: 'flagged' }]);
    });

    it('gives pins sharing a rank the next ranks, oldest first, and shows none beyond the limit', () => {
      pins.pins = [pin('first', 2), pin('second', 2), pin('late', 9)];
      expect(ids('reader', 4)).toEqual(['a1', 'first', 'second', 'a2']);
    });

    it('closes up a short answer: a pin past the items available comes last', () => {
      index.lists.clear();
      index.fallbacks.clear();
      index.fallbacks.set('all', { generatedAt: '2026-11-24T09:00:00.000Z', ...ranked('p', 2) });
      pins.pins = [pin('breaking', 5)];
      const items = service().recommend('stranger', 10).response.items;
      expect(items.map((i) => [i.articleId, i.rank, i.origin])).toEqual([
        ['p1', 1, 'fallback'],
        ['p2', 2, 'fallback'],
        ['breaking', 3, 'pinned'],
      ]);
    });

    it('counts pins towards the caps without ever leaving a pin out', () => {
      caps = { publisher: { default: 1, overrides: {} } };
      index.articleFacets.set('breaking', { publisher: 'odd-times' });
      index.articleFacets.set('a1', { publisher: 'odd-times' });
      index.articleFacets.set('a3', { publisher: 'odd-times' });
      pins.pins = [pin('breaking', 3)];
      const answer = service().recommend('reader', 3);
      expect(answer.response.items.map((i) => i.articleId)).toEqual(['a2', 'a4', 'breaking']);
      expect(answer.filtered).toEqual([
        { articleId: 'a1', reason: 'editorial-cap', rule: 'publisher:odd-times' },
        { articleId: 'a3', reason: 'editorial-cap', rule: 'publisher:odd-times' },
      ]);
    });
  });
});
