import { TopicPayload, topics } from '@newsroom/contracts';
import { ageHoursBins, dwellBins, lengthBins, metrics } from '../drift/drift-features';
import { HOUR_MS, NO_REGION, ObservationFold, wordCount } from './observation-fold';

type Interaction = TopicPayload<typeof topics.interactionsIngested>;

const at = (hour: number, minute = 0) => new Date(Date.UTC(2026, 10, 5, hour, minute)).toISOString();
const hour = (h: number) => Date.UTC(2026, 10, 5, h);
const read = (over: Partial<Interaction> = {}): Interaction => ({
  eventId: 'e',
  userId: 'u1',
  articleId: 'a1',
  type: 'read',
  dwellSeconds: 42,
  occurredAt: at(10, 15),
  region: 'africa',
  ingestedAt: at(10, 16),
  ...over,
});
const value = (fold: ObservationFold, h: number, metric: string, key = '') =>
  fold.counts.get(`${hour(h)}|${metric}|${key}`)?.value;

describe('ObservationFold', () => {
  it('sums reads into their event hour: volume, mixes, histograms and reads per reader', () => {
    const fold = new ObservationFold();
    const article = { category: 'politics', publishedAt: hour(7) };
    fold.interaction(read(), article);
    fold.interaction(read({ occurredAt: at(10, 50), dwellSeconds: 43 }), article);
    fold.interaction(read({ userId: 'u2', occurredAt: at(11, 5), region: undefined }), undefined);

    expect(value(fold, 10, metrics.reads)).toBe(2);
    expect(value(fold, 11, metrics.reads)).toBe(1);
    expect(value(fold, 10, metrics.readCategory, 'politics')).toBe(2);
    expect(value(fold, 11, metrics.readsOfUnknownArticles)).toBe(1);
    expect([...fold.counts.values()].filter((c) => c.metric === metrics.readCategory)).toHaveLength(1);
    expect(value(fold, 10, metrics.readRegion, 'africa')).toBe(2);
    expect(value(fold, 11, metrics.readRegion, NO_REGION)).toBe(1);
    expect(value(fold, 10, metrics.readDwell, String(dwellBins.indexOf(42)))).toBe(2);
    // 3 h 15 min and 3 h 50 min after publication.
    expect(value(fold, 10, metrics.readArticleAge, String(ageHoursBins.indexOf(3.5)))).toBe(2);
    expect(fold.readerHours.get(`${hour(10)}|u1`)?.reads).toBe(2);
    expect(fold.latest.get('reads')).toBe(Date.parse(at(11, 5)));
  });

  it('counts impressions and clicks as volumes only, and late and future events by arrival', () => {
    const fold = new ObservationFold();
    fold.interaction(read({ type: 'impression', dwellSeconds: undefined }), undefined);
    fold.interaction(
      read({ type: 'click', dwellSeconds: undefined, occurredAt: at(8), ingestedAt: at(10, 30) }),
      undefined,
    );
    fold.interaction(read({ occurredAt: at(12), ingestedAt: at(10, 30) }), undefined);
    expect(value(fold, 10, metrics.impressions)).toBe(1);
    expect(value(fold, 8, metrics.clicks)).toBe(1);
    expect(value(fold, 10, metrics.reads)).toBeUndefined();
    expect(value(fold, 10, metrics.late, 'interactions')).toBe(1);
    expect(value(fold, 10, metrics.future, 'interactions')).toBe(1);
    expect(fold.readerHours.size).toBe(1);
  });

  it('counts records that arrived with field warnings per raw topic, and their fields (unknown ones together)', () => {
    const fold = new ObservationFold();
    fold.interaction(read(), undefined);
    fold.interaction(
      read({
        fieldWarnings: [
          { field: 'region', reason: 'unknown-value' },
          { field: 'campaign', reason: 'unknown-field' },
        ],
      }),
      undefined,
    );
    fold.interaction(read({ fieldWarnings: [{ field: 'utm', reason: 'unknown-field' }] }), undefined);
    expect(value(fold, 10, metrics.arrived, 'interactions.raw')).toBe(3);
    expect(value(fold, 10, metrics.warned, 'interactions.raw')).toBe(2);
    expect(value(fold, 10, metrics.fieldWarnings, 'interactions.raw region unknown-value')).toBe(1);
    expect(value(fold, 10, metrics.fieldWarnings, 'interactions.raw * unknown-field')).toBe(2);
  });

  it('sums new articles by publication hour, publisher and length', () => {
    const fold = new ObservationFold();
    const article = {
      eventId: 'e',
      articleId: 'a1',
      title: 'Rain falls on the capital',
      body: 'Three more words',
      category: 'weather',
      publisher: 'daily',
      url: 'https://example.com/a1',
      publishedAt: at(9, 30),
      revision: 1,
      ingestedAt: at(9, 31),
    };
    fold.newArticle(article);
    fold.newArticle({ ...article, articleId: 'a2', publisher: 'weekly', publishedAt: at(9, 59) });
    expect(value(fold, 9, metrics.newArticles)).toBe(2);
    expect(value(fold, 9, metrics.articlePublisher, 'daily')).toBe(1);
    expect(value(fold, 9, metrics.articleLength, String(lengthBins.indexOf(8)))).toBe(2);
    expect(fold.latest.get('articles')).toBe(Date.parse(at(9, 59)));
    expect(Date.parse(at(9, 59)) - hour(9)).toBeLessThan(HOUR_MS);
  });

  it('counts words as the feature store tokenizes them, accents and digits included', () => {
    expect(wordCount('Élection 2026: les résultats — en direct!')).toBe(6);
    expect(wordCount('')).toBe(0);
  });
});
