import { evaluationMetrics, parseMetricKey } from './evaluation-metrics';

describe('parseMetricKey', () => {
  it.each([
    ['ndcgAt10', { slice: null, ranker: 'candidate', metric: 'ndcgAt10' }],
    ['popularityNdcgAt10', { slice: null, ranker: 'popularity', metric: 'ndcgAt10' }],
    ['championNdcgAt10', { slice: null, ranker: 'champion', metric: 'ndcgAt10' }],
    ['recencyMrr', { slice: null, ranker: 'recency', metric: 'mrr' }],
    ['categoryPopularityNdcgAt10', { slice: null, ranker: 'categoryPopularity', metric: 'ndcgAt10' }],
    ['new-readers.recallAt10', { slice: 'new-readers', ranker: 'candidate', metric: 'recallAt10' }],
    ['region:africa.championNdcgAt10', { slice: 'region:africa', ranker: 'champion', metric: 'ndcgAt10' }],
    ['region:a.b.readers', { slice: 'region:a.b', ranker: 'candidate', metric: 'readers' }],
    // A metric whose name merely starts like a ranker's is the candidate's.
    ['recency', { slice: null, ranker: 'candidate', metric: 'recency' }],
    ['championship', { slice: null, ranker: 'candidate', metric: 'championship' }],
  ])('%s', (key, expected) => {
    expect(parseMetricKey(key)).toEqual(expected);
  });
});

describe('evaluationMetrics', () => {
  it("puts each ranker's value beside the candidate's, overall and per slice, metrics in the usual order", () => {
    const { overall, slices } = evaluationMetrics({
      freshShare: 0.5,
      zeta: 1,
      mrr: 0.25,
      ndcgAt10: 0.31,
      popularityNdcgAt10: 0.2,
      categoryPopularityNdcgAt10: 0.26,
      championNdcgAt10: 0.3,
      'region:africa.ndcgAt10': 0.33,
      'new-readers.readers': 120,
      'new-readers.ndcgAt10': 0.18,
      'new-readers.popularityNdcgAt10': 0.21,
    });
    expect(overall).toEqual({
      slice: null,
      readers: null,
      metrics: [
        {
          metric: 'ndcgAt10',
          candidate: 0.31,
          champion: 0.3,
          popularity: 0.2,
          categoryPopularity: 0.26,
          recency: null,
        },
        {
          metric: 'mrr',
          candidate: 0.25,
          champion: null,
          popularity: null,
          categoryPopularity: null,
          recency: null,
        },
        {
          metric: 'freshShare',
          candidate: 0.5,
          champion: null,
          popularity: null,
          categoryPopularity: null,
          recency: null,
        },
        {
          metric: 'zeta',
          candidate: 1,
          champion: null,
          popularity: null,
          categoryPopularity: null,
          recency: null,
        },
      ],
    });
    expect(slices).toEqual([
      {
        slice: 'new-readers',
        readers: 120,
        metrics: [
          {
            metric: 'ndcgAt10',
            candidate: 0.18,
            champion: null,
            popularity: 0.21,
            categoryPopularity: null,
            recency: null,
          },
        ],
      },
      {
        slice: 'region:africa',
        readers: null,
        metrics: [
          {
            metric: 'ndcgAt10',
            candidate: 0.33,
            champion: null,
            popularity: null,
            categoryPopularity: null,
            recency: null,
          },
        ],
      },
    ]);
  });

  it('is empty without metrics (an evaluation that could not read its inputs)', () => {
    expect(evaluationMetrics({})).toEqual({
      overall: { slice: null, readers: null, metrics: [] },
      slices: [],
    });
  });
});
