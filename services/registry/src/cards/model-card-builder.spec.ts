import { buildModelCard } from './model-card-builder';
import { championVersion, datasetManifest, measuredQuality } from './model-card.fixture';
import { ModelCard } from './model-card';

const generatedAt = new Date('2026-12-05T08:00:00.000Z');
const kinds = (card: ModelCard) => card.limitations.map((l) => l.kind);
const textsOf = (card: ModelCard, kind: string) =>
  card.limitations.filter((l) => l.kind === kind).map((l) => l.text);

describe('buildModelCard', () => {
  const card = buildModelCard({
    version: championVersion(),
    dataset: datasetManifest(),
    onlineQuality: measuredQuality(),
    minSliceReaders: 50,
    generatedAt,
  });

  it('takes lineage from model.trained and the dataset manifest, and the training data from the manifest', () => {
    expect(card).toMatchObject({
      modelVersion: 'v2',
      generatedAt: '2026-12-05T08:00:00.000Z',
      stage: 'champion',
      registeredAt: '2026-12-04T05:50:00.000Z',
      lineage: {
        datasetId: 'd'.repeat(64),
        runId: 'run-2',
        parentVersion: 'v1',
        trainingCodeVersion: 'abc123',
        datasetCodeVersion: 'fs-789',
        featureSchemaVersion: 1,
      },
      trainingData: {
        trigger: 'schedule',
        window: { start: '2026-11-27T05:00:00.000Z', end: '2026-12-04T05:00:00.000Z' },
        validationFrom: '2026-12-03T05:00:00.000Z',
        rows: { train: 90_000, validation: 12_000, readers: 15_000, articles: 40_000 },
        qualityChecks: { passed: 1, failed: ['late-share'] },
      },
      parameters: { epochs: 4, learningRate: 0.01, dimensions: 32, backend: 'wasm' },
      trainingMetrics: { loss: 0.41, ndcgAt10: 0.3 },
      promotions: [expect.objectContaining({ previousVersion: 'v1', kind: 'evaluation' })],
    });
  });

  it("gives the gate's decision with every reason, and the metrics against the champion and baselines", () => {
    expect(card.evaluation).toMatchObject({
      passed: true,
      judgedAgainst: 'v1',
      reasons: championVersion().evaluation?.reasons,
      overall: {
        metrics: expect.arrayContaining([
          {
            metric: 'ndcgAt10',
            candidate: 0.31,
            champion: 0.3,
            popularity: 0.2,
            categoryPopularity: 0.26,
            recency: null,
          },
        ]),
      },
    });
    expect(card.evaluation?.slices.map((s) => [s.slice, s.readers])).toEqual([
      ['new-readers', 120],
      ['region:africa', 12],
    ]);
  });

  it('orders feature groups by importance, each with its tower and share', () => {
    expect(card.featureImportance?.sample).toBe(2000);
    expect(card.featureImportance?.baselineScore).toBe(0.12);
    expect(card.featureImportance?.groups.map((g) => [g.group, g.tower])).toEqual([
      ['article.words', 'article'],
      ['reader.recentWords', 'reader'],
      ['reader.categoryMix', 'reader'],
      ['article.category', 'article'],
      ['article.publisher', 'article'],
    ]);
    const shares = card.featureImportance?.groups.map((g) => g.share) ?? [];
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(shares[0]).toBeCloseTo(0.3 / 0.7, 10);
  });

  it('derives limitations from the data: small and weak slices, weak groups, the training window', () => {
    expect(kinds(card)).toEqual([
      'inputs',
      'unknown-values',
      'cold-start',
      'cold-start',
      'training-window',
      'weak-slice',
      'small-slice',
      'weak-group',
    ]);
    expect(textsOf(card, 'inputs')[0]).toMatch(/does not see the reader's region, the article's popularity/);
    expect(textsOf(card, 'cold-start')[1]).toBe(
      'Readers with few reads before the held-out day (slice new-readers, 120 readers) get NDCG@10 0.1800, against 0.3100 for all readers.',
    );
    expect(textsOf(card, 'training-window')[0]).toMatch(
      /^It learnt from 7\.0 days of reading .*15000 readers and 40000 articles/,
    );
    expect(textsOf(card, 'weak-slice')).toEqual([
      "Slice new-readers: NDCG@10 0.1800 is below the popularity baseline's 0.2100.",
    ]);
    expect(textsOf(card, 'small-slice')[0]).toMatch(
      /^Slice region:africa: only 12 held-out readers \(fewer than 50\)/,
    );
    expect(textsOf(card, 'weak-group')[0]).toMatch(
      /^The article's publisher \(article\.publisher\) barely moves its scores: 0\.7% of/,
    );
  });

  it('names an online lift below the fallback, a falling hit rate and the warnings of evaluation', () => {
    const version = championVersion();
    const worse = buildModelCard({
      version: {
        ...version,
        evaluation: version.evaluation && {
          ...version.evaluation,
          reasons: ['WARN: the champion v1 could not be read (ENOENT): judged against the baselines alone'],
        },
      },
      dataset: undefined,
      onlineQuality: measuredQuality({
        personalized: { lists: 900, hitRateAt10: 0.2, mrr: 0.1, dwellSecondsPerList: 40, coverage: 0.3 },
        liftOverFallback: 0.6667,
        hitRateChange: -0.5,
      }),
      minSliceReaders: 10,
      generatedAt,
    });
    expect(textsOf(worse, 'evaluation-warning')).toEqual([
      'the champion v1 could not be read (ENOENT): judged against the baselines alone',
    ]);
    expect(textsOf(worse, 'online')).toEqual([
      "Online, its lists were read less often than the fallback's: hit rate@10 0.2000 against 0.3000 " +
        '(2026-12-04T06:00:00.000Z to 2026-12-05T06:00:00.000Z).',
      'Its online hit rate@10 fell 50.0% since its first measured window.',
    ]);
    // 12 readers is enough at a minimum of 10: the slice is not called small.
    expect(kinds(worse)).not.toContain('small-slice');
    expect(kinds(worse)).not.toContain('training-window');
  });

  it('says what is unknown rather than failing: no manifest, no evaluation, no importance', () => {
    const candidate = buildModelCard({
      version: championVersion({ stage: 'candidate', evaluation: null, promotions: [] }),
      dataset: undefined,
      onlineQuality: { status: 'not-measured', reason: 'never served' },
      minSliceReaders: 50,
      generatedAt,
    });
    expect(candidate).toMatchObject({
      trainingData: null,
      evaluation: null,
      featureImportance: null,
      lineage: { datasetCodeVersion: null, featureSchemaVersion: null },
      onlineQuality: { status: 'not-measured' },
    });
    expect(kinds(candidate)).toEqual(['inputs', 'unknown-values', 'cold-start']);
  });
});
