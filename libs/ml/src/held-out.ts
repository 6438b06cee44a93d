import * as tf from '@tensorflow/tfjs';
import { DatasetArticle, Region } from '@newsroom/contracts';
import { TrainingSet } from './dataset';
import { FeatureEncoder, ReaderProfile } from './feature-encoder';
import { readerAt } from './train';
import {
  Judgement,
  auc,
  catalogueCoverage,
  freshShare,
  mean,
  ndcgAt,
  recallAt,
  reciprocalRank,
} from './ranking-metrics';
import { TwoTowerModel } from './two-tower';

const HOUR = 3_600_000;
const published = (heldOut: HeldOut, id: string) => Date.parse(heldOut.articles.get(id)?.publishedAt ?? '');

/** Readers with fewer reads than this before the held-out slice form the `new-readers` slice. */
export const newReaderReads = 5;

export interface HeldOutReader {
  userId: string;
  /** The reader as of the slice's start. */
  profile: ReaderProfile;
  region: Region | null;
  /** Reads before the slice, all time. */
  priorReads: number;
  /** What was shown to the reader in the slice, not flagged and not read before: what gets ranked. */
  candidates: string[];
  /** Dwell seconds per candidate the reader read in the slice: the relevance judgements. */
  read: Map<string, number>;
}

/**
 * The validation slice as a ranking task, as logged impressions allow it to be judged: each
 * reader's candidates are the articles shown to them in the slice, ranked as of its start, and
 * judged by the dwell they then gave them.
 */
export interface HeldOut {
  at: number;
  articles: Map<string, DatasetArticle>;
  readers: HeldOutReader[];
}

/** The held-out ranking task of a dataset's validation split: readers who read something they were shown. */
export function heldOutSlice(set: TrainingSet): HeldOut {
  const at = Date.parse(set.header.validationFrom);
  const byReader = new Map<number, number[]>();
  for (let i = 0; i < set.examples.count; i++) {
    if (!set.examples.validation[i]) continue;
    const list = byReader.get(set.examples.reader[i]) ?? [];
    list.push(i);
    byReader.set(set.examples.reader[i], list);
  }
  const articles = new Map<string, DatasetArticle>();
  const readers: HeldOutReader[] = [];
  for (const [r, examples] of byReader) {
    const first = examples[0];
    const reader = set.readers[r];
    const before = new Set(reader.article.subarray(0, set.examples.history[first]));
    const candidates = [...new Set(reader.shown)].filter(
      (a) => a >= 0 && !before.has(a) && !set.articles[a].flagged,
    );
    const read = new Map<string, number>();
    for (const i of examples) {
      const a = set.examples.article[i];
      if (!candidates.includes(a)) continue;
      const id = set.articles[a].articleId;
      read.set(id, (read.get(id) ?? 0) + set.examples.dwell[i]);
    }
    if (read.size === 0) continue;
    for (const a of candidates) articles.set(set.articles[a].articleId, set.articles[a]);
    readers.push({
      userId: reader.userId,
      profile: readerAt(set, first, Infinity),
      region: set.examples.region[first],
      priorReads: set.examples.priorReads[first],
      candidates: candidates.map((a) => set.articles[a].articleId),
      read,
    });
  }
  return { at, articles, readers };
}

export interface RankingReport {
  ndcgAt10: number;
  recallAt10: number;
  mrr: number;
  auc: number;
  coverage: number;
  freshShare: number;
  readers: number;
}

/** Metrics of full candidate orders, one per held-out reader (in `heldOut.readers` order). */
export function rankingReport(heldOut: HeldOut, orders: readonly string[][]): RankingReport {
  const judgements: Judgement[] = heldOut.readers.map((reader, i) => ({
    ranked: orders[i],
    dwell: reader.read,
  }));
  const aucs = judgements
    .map(({ ranked, dwell }) => {
      const positions = ranked.map((id, rank) => ({ score: -rank, read: dwell.has(id) }));
      return auc(
        positions.filter((p) => p.read).map((p) => p.score),
        positions.filter((p) => !p.read).map((p) => p.score),
      );
    })
    .filter((value) => !Number.isNaN(value));
  return {
    ndcgAt10: mean(judgements.map((j) => ndcgAt(10, j))),
    recallAt10: mean(judgements.map((j) => recallAt(10, j))),
    mrr: mean(judgements.map((j) => reciprocalRank(j))),
    auc: mean(aucs),
    coverage: catalogueCoverage(
      10,
      orders.map((o) => o.slice(0, 10)),
      heldOut.articles.size,
    ),
    freshShare: mean(
      orders.map((o) => freshShare(10, o, (id) => heldOut.at - published(heldOut, id), 24 * HOUR)),
    ),
    readers: judgements.length,
  };
}

/**
 * The slices a report is broken down by: readers with under `newReaderReads` reads before the
 * slice, articles published in the slice (never trained on), and each reader region.
 */
export function heldOutSlices(heldOut: HeldOut, orders: readonly string[][]): Record<string, RankingReport> {
  const slices: Record<string, RankingReport> = {};
  const sliceOf = (name: string, keep: (r: HeldOutReader) => boolean, article?: (id: string) => boolean) => {
    const readers: HeldOutReader[] = [];
    const sliced: string[][] = [];
    heldOut.readers.forEach((reader, i) => {
      if (!keep(reader)) return;
      const read = article ? new Map([...reader.read].filter(([id]) => article(id))) : reader.read;
      if (read.size === 0) return;
      readers.push({ ...reader, read });
      sliced.push(article ? orders[i].filter(article) : orders[i]);
    });
    if (readers.length > 0) slices[name] = rankingReport({ ...heldOut, readers }, sliced);
  };
  sliceOf('new-readers', (r) => r.priorReads < newReaderReads);
  sliceOf(
    'new-articles',
    () => true,
    (id) => published(heldOut, id) >= heldOut.at,
  );
  const regions = [...new Set(heldOut.readers.map((r) => r.region))].sort();
  for (const region of regions) sliceOf(`region:${region ?? 'unknown'}`, (r) => r.region === region);
  return slices;
}

/** Baseline: the candidates most read in the 24 hours before the slice (ties: newest first). */
export function popularityOrders(set: TrainingSet, heldOut: HeldOut): string[][] {
  const reads = new Map<string, number>();
  for (const reader of set.readers) {
    reader.time.forEach((t, i) => {
      if (t >= heldOut.at - 24 * HOUR && t < heldOut.at && reader.article[i] >= 0) {
        const id = set.articles[reader.article[i]].articleId;
        reads.set(id, (reads.get(id) ?? 0) + 1);
      }
    });
  }
  return heldOut.readers.map((r) =>
    [...r.candidates].sort(
      (a, b) => (reads.get(b) ?? 0) - (reads.get(a) ?? 0) || published(heldOut, b) - published(heldOut, a),
    ),
  );
}

/** Baseline: the newest candidates first. */
export function recencyOrders(heldOut: HeldOut): string[][] {
  return heldOut.readers.map((r) =>
    [...r.candidates].sort((a, b) => published(heldOut, b) - published(heldOut, a) || (a < b ? -1 : 1)),
  );
}

/** The model's order of each reader's candidates, readers scored in chunks against every candidate article. */
export function modelOrders(model: TwoTowerModel, encoder: FeatureEncoder, heldOut: HeldOut): string[][] {
  const articles = [...heldOut.articles.values()];
  const column = new Map(articles.map((a, i) => [a.articleId, i]));
  const articleVectors = model.articleVectors(encoder.articles(articles));
  const orders: string[][] = [];
  try {
    for (let from = 0; from < heldOut.readers.length; from += 256) {
      const chunk = heldOut.readers.slice(from, from + 256);
      const scores = tf.tidy(() =>
        tf.matMul(
          model.readerVectors(encoder.readers(chunk.map((r) => r.profile))),
          articleVectors,
          false,
          true,
        ),
      );
      const values = scores.dataSync();
      scores.dispose();
      chunk.forEach((reader, row) => {
        const score = (id: string) => values[row * articles.length + (column.get(id) ?? 0)];
        orders.push([...reader.candidates].sort((a, b) => score(b) - score(a) || (a < b ? -1 : 1)));
      });
    }
  } finally {
    articleVectors.dispose();
  }
  return orders;
}

export interface EvaluationReport {
  overall: RankingReport;
  slices: Record<string, RankingReport>;
}

/** A ranker's report on the held-out slice: overall and per slice. */
export function evaluateOrders(heldOut: HeldOut, orders: readonly string[][]): EvaluationReport {
  return { overall: rankingReport(heldOut, orders), slices: heldOutSlices(heldOut, orders) };
}
