import { DatasetArticle } from '@newsroom/contracts';
import { TrainingSet, loadDataset } from './dataset';
import {
  HeldOut,
  HeldOutReader,
  categoryPopularityOrders,
  evaluateOrders,
  heldOutSlice,
  popularityOrders,
  rankingReport,
  recencyOrders,
} from './held-out';
import { twoTopicDatasetLines } from './testing/two-topic-dataset';

describe('held-out evaluation', () => {
  it("ranks what each reader was shown in the validation split, not what they had read before, judged by the slice's reads", async () => {
    const set = await loadDataset(twoTopicDatasetLines());
    const heldOut = heldOutSlice(set);
    expect(heldOut.at).toBe(Date.parse(set.header.validationFrom));
    expect(heldOut.readers.length).toBeGreaterThan(30);
    for (const reader of heldOut.readers) {
      const r = set.readers[set.readerIndex.get(reader.userId) ?? -1];
      const shown = new Set(Array.from(r.shown, (a) => set.articles[a].articleId));
      const trainingReads = new Set(Array.from(r.article.subarray(0, 15), (a) => set.articles[a].articleId));
      for (const id of reader.candidates) {
        expect(shown.has(id)).toBe(true);
        expect(trainingReads.has(id)).toBe(false);
      }
      for (const id of reader.read.keys()) expect(reader.candidates).toContain(id);
      expect(reader.protocol).toBe('logged-impressions');
      // The profile is as of the slice's start: the 15 training reads, newest first.
      expect(reader.profile.recent).toHaveLength(15);
      expect(reader.priorReads).toBe(15);
    }
  });

  it('scores a perfect order 1 and its reverse lower, overall and per region', async () => {
    const set = await loadDataset(twoTopicDatasetLines());
    const heldOut = heldOutSlice(set);
    const perfect = heldOut.readers.map((r) =>
      [...r.candidates].sort((a, b) => (r.read.get(b) ?? 0) - (r.read.get(a) ?? 0)),
    );
    const report = evaluateOrders(heldOut, perfect);
    expect(report.overall.ndcgAt10).toBeCloseTo(1, 10);
    expect(report.overall.mrr).toBe(1);
    expect(Object.keys(report.slices).sort()).toEqual(['region:africa', 'region:north-america']);
    const reversed = rankingReport(
      heldOut,
      perfect.map((o) => [...o].reverse()),
    );
    expect(reversed.ndcgAt10).toBeLessThan(report.overall.ndcgAt10);
    expect(reversed.auc).toBeLessThan(report.overall.auc);
    // Baselines give one order per reader over that reader's candidates.
    for (const orders of [
      popularityOrders(set, heldOut),
      categoryPopularityOrders(set, heldOut),
      recencyOrders(heldOut),
    ]) {
      expect(orders.map((o) => [...o].sort())).toEqual(heldOut.readers.map((r) => [...r.candidates].sort()));
    }
  });

  it("category × popularity: reads the day before times the reader's share of the category, ties newest first", () => {
    const at = Date.parse('2026-11-10T00:00:00Z');
    const article = (articleId: string, category: string, hoursOld: number) =>
      ({
        articleId,
        category,
        publishedAt: new Date(at - hoursOld * 3_600_000).toISOString(),
      }) as DatasetArticle;
    const articles = [
      article('s1', 'sports', 30),
      article('s2', 'sports', 20),
      article('p1', 'politics', 10),
      article('p2', 'politics', 5),
    ];
    // Reads in the 24 hours before the slice: s1 5, s2 1, p1 10, p2 none (and one read too early to count).
    const readsOf = [0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0];
    const set = {
      articles,
      readers: [
        {
          article: Int32Array.from(readsOf),
          time: Float64Array.from(readsOf, (_, i) => (i === 16 ? at - 25 * 3_600_000 : at - 3_600_000)),
        },
      ],
    } as unknown as TrainingSet;
    const reader = (userId: string, categoryMix: Record<string, number>) =>
      ({
        userId,
        profile: { recent: [], categoryMix },
        candidates: ['p2', 's2', 'p1', 's1'],
        read: new Map(),
      }) as unknown as HeldOutReader;
    const heldOut: HeldOut = {
      at,
      articles: new Map(articles.map((a) => [a.articleId, a])),
      readers: [
        reader('both', { sports: 0.8, politics: 0.2 }),
        reader('none', {}),
        reader('sports', { sports: 1 }),
      ],
      protocols: { 'logged-impressions': 3, 'sampled-fresh': 0 },
    };
    expect(popularityOrders(set, heldOut)[0]).toEqual(['p1', 's1', 's2', 'p2']);
    expect(categoryPopularityOrders(set, heldOut)).toEqual([
      ['s1', 'p1', 's2', 'p2'],
      ['p1', 's1', 's2', 'p2'],
      ['s1', 's2', 'p2', 'p1'],
    ]);
  });

  it('without impression logs, ranks each reader’s reads among a seeded sample of fresh articles not read before', async () => {
    const set = await loadDataset(twoTopicDatasetLines({ impressions: false }));
    const heldOut = heldOutSlice(set);
    expect(heldOut.protocols).toEqual({ 'logged-impressions': 0, 'sampled-fresh': heldOut.readers.length });
    expect(heldOut.readers.length).toBeGreaterThan(20);
    for (const reader of heldOut.readers) {
      const r = set.readers[set.readerIndex.get(reader.userId) ?? -1];
      const trainingReads = new Set(Array.from(r.article.subarray(0, 15), (a) => set.articles[a].articleId));
      expect(reader.protocol).toBe('sampled-fresh');
      for (const id of reader.candidates) expect(trainingReads.has(id)).toBe(false);
      for (const id of reader.read.keys()) expect(reader.candidates).toContain(id);
      // Other topics' articles are among the candidates: there is something to rank against.
      expect(reader.candidates.length).toBeGreaterThan(reader.read.size + 20);
    }
    // The same readers get the same candidates every time: every ranker, every run.
    expect(heldOutSlice(set).readers.map((r) => r.candidates)).toEqual(
      heldOut.readers.map((r) => r.candidates),
    );
    const perfect = heldOut.readers.map((r) =>
      [...r.candidates].sort((a, b) => (r.read.get(b) ?? 0) - (r.read.get(a) ?? 0)),
    );
    expect(rankingReport(heldOut, perfect).ndcgAt10).toBeCloseTo(1, 10);
    expect(rankingReport(heldOut, recencyOrders(heldOut)).ndcgAt10).toBeLessThan(0.9);
  });

  it('reports each protocol as a slice when readers of both are held out', async () => {
    const heldOut = heldOutSlice(await loadDataset(twoTopicDatasetLines({ impressions: 'some' })));
    expect(heldOut.protocols['logged-impressions']).toBeGreaterThan(10);
    expect(heldOut.protocols['sampled-fresh']).toBeGreaterThan(10);
    const { slices } = evaluateOrders(heldOut, recencyOrders(heldOut));
    expect(slices['protocol:logged-impressions'].readers).toBe(heldOut.protocols['logged-impressions']);
    expect(slices['protocol:sampled-fresh'].readers).toBe(heldOut.protocols['sampled-fresh']);
  });

  it('slices by the platform’s regions, the others together', async () => {
    const heldOut = heldOutSlice(await loadDataset(twoTopicDatasetLines()));
    const { slices } = evaluateOrders(heldOut, recencyOrders(heldOut), ['africa', 'latam']);
    expect(
      Object.keys(slices)
        .filter((k) => k.startsWith('region:'))
        .sort(),
    ).toEqual(['region:africa', 'region:other']);
    expect(slices['region:africa'].readers + slices['region:other'].readers).toBe(heldOut.readers.length);
  });

  it('holds out nothing, without an error, when the split has no reads', async () => {
    const lines = twoTopicDatasetLines().filter((l) => !l.includes('"split":"validation"'));
    const set = await loadDataset(lines);
    const heldOut = heldOutSlice(set);
    expect(heldOut.readers).toEqual([]);
    expect(popularityOrders(set, heldOut)).toEqual([]);
  });
});
