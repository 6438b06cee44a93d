import * as tf from '@tensorflow/tfjs';
import { DatasetArticle, Region } from '@newsroom/contracts';
import { ageBucketsAt } from './article-age';
import { TrainingSet } from './dataset';
import { FeatureEncoder, ReaderProfile } from './feature-encoder';
import { readerAt, seededRandom } from './train';
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

/**
 * How a reader's candidates were chosen:
 * - `logged-impressions`: the articles shown to them in the slice (the producer sends impression
 *   logs): what was on their screen is what gets ranked;
 * - `sampled-fresh`: no impressions of theirs in the slice, so the articles they could have read
 *   while reading in it (published from `freshPoolHours` before their first read there to their
 *   last, not flagged, not read by them before): those they read, among a seeded sample of
 *   `sampledCandidates` others. Nothing is a candidate that appeared only after they stopped.
 * Every ranker ranks the same candidates, so a comparison is fair under either.
 */
export const heldOutProtocols = ['logged-impressions', 'sampled-fresh'] as const;
export type HeldOutProtocol = (typeof heldOutProtocols)[number];
export const sampledCandidates = 100;
export const freshPoolHours = 48;

export interface HeldOutReader {
  userId: string;
  /** The reader as of the slice's start. */
  profile: ReaderProfile;
  region: Region | null;
  /** Reads before the slice, all time. */
  priorReads: number;
  protocol: HeldOutProtocol;
  /** What gets ranked: not flagged and not read before (see HeldOutProtocol). */
  candidates: string[];
  /** Dwell seconds per candidate the reader read in the slice: the relevance judgements. */
  read: Map<string, number>;
}

/**
 * The validation slice as a ranking task: each reader's candidates ranked as of the slice's start
 * and judged by the dwell they then gave them. `protocols` counts the readers of each protocol.
 */
export interface HeldOut {
  at: number;
  articles: Map<string, DatasetArticle>;
  readers: HeldOutReader[];
  protocols: Record<HeldOutProtocol, number>;
}

/**
 * A stable number from an id (FNV-1a): the same reader gets the same sample in every run, and a
 * sample taken in the order of these numbers is the same wherever it is taken.
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * The held-out ranking task of a dataset's validation split: readers who read something among
 * their candidates. Readers with impressions in the slice rank what they were shown; the others
 * rank their reads among a sample of fresh articles (HeldOutProtocol).
 */
export function heldOutSlice(set: TrainingSet): HeldOut {
  const at = Date.parse(set.header.validationFrom);
  const byReader = new Map<number, number[]>();
  for (let i = 0; i < set.examples.count; i++) {
    if (!set.examples.validation[i]) continue;
    const list = byReader.get(set.examples.reader[i]) ?? [];
    list.push(i);
    byReader.set(set.examples.reader[i], list);
  }
  const publishedAt = set.articles.map((article) => Date.parse(article.publishedAt));
  let byPublication: number[] | undefined;
  const articles = new Map<string, DatasetArticle>();
  const readers: HeldOutReader[] = [];
  const protocols: Record<HeldOutProtocol, number> = { 'logged-impressions': 0, 'sampled-fresh': 0 };
  for (const [r, examples] of byReader) {
    const first = examples[0];
    const reader = set.readers[r];
    const before = new Set(reader.article.subarray(0, set.examples.history[first]));
    const usable = (a: number) => a >= 0 && !before.has(a) && !set.articles[a].flagged;
    const shown = [...new Set(reader.shown)].filter(usable);
    const protocol: HeldOutProtocol = shown.length > 0 ? 'logged-impressions' : 'sampled-fresh';
    let candidates = shown;
    if (protocol === 'sampled-fresh') {
      // What was there to read while the reader was reading: nothing published after they stopped.
      const t0 = set.examples.time[first];
      const tEnd = set.examples.time[examples[examples.length - 1]];
      const fresh = (a: number) => publishedAt[a] >= t0 - freshPoolHours * HOUR && publishedAt[a] <= tEnd;
      byPublication ??= set.articles.map((_, a) => a).sort((x, y) => publishedAt[x] - publishedAt[y]);
      const pool = publicationRange(byPublication, publishedAt, t0 - freshPoolHours * HOUR, tEnd);
      const reads = [...new Set(examples.map((i) => set.examples.article[i]))].filter(
        (a) => usable(a) && fresh(a),
      );
      candidates = withFreshSample(reads, pool, usable, seededRandom(stableHash(reader.userId)));
      // Nothing to rank the reads against: no judgement.
      if (candidates.length === reads.length) continue;
    }
    const isCandidate = new Set(candidates);
    const read = new Map<string, number>();
    for (const i of examples) {
      const a = set.examples.article[i];
      if (!isCandidate.has(a)) continue;
      const id = set.articles[a].articleId;
      read.set(id, (read.get(id) ?? 0) + set.examples.dwell[i]);
    }
    if (read.size === 0) continue;
    for (const a of candidates) articles.set(set.articles[a].articleId, set.articles[a]);
    protocols[protocol] += 1;
    readers.push({
      userId: reader.userId,
      profile: readerAt(set, first, Infinity),
      region: set.examples.region[first],
      priorReads: set.examples.priorReads[first],
      protocol,
      candidates: candidates.map((a) => set.articles[a].articleId),
      read,
    });
  }
  return { at, articles, readers, protocols };
}

/** The articles (indices, in publication order) published from `from` to `to`, both included. */
function publicationRange(
  byPublication: number[],
  publishedAt: number[],
  from: number,
  to: number,
): number[] {
  const firstAtOrAfter = (t: number) => {
    let lo = 0;
    let hi = byPublication.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (publishedAt[byPublication[mid]] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return byPublication.slice(firstAtOrAfter(from), firstAtOrAfter(to + 1));
}

/** The reader's reads plus up to `sampledCandidates` other usable articles of the pool, drawn with `random`. */
function withFreshSample(
  reads: number[],
  pool: readonly number[],
  usable: (a: number) => boolean,
  random: () => number,
): number[] {
  const chosen = new Set(reads);
  const wanted = reads.length + sampledCandidates;
  // Rejection sampling: the pool is far larger than the sample, so few draws are wasted; bounded
  // for a pool that is mostly read already.
  for (let draws = 0; chosen.size < wanted && draws < sampledCandidates * 20; draws++) {
    const a = pool[Math.floor(random() * pool.length)];
    if (a !== undefined && usable(a)) chosen.add(a);
  }
  // In id order: the order must not tell the reads from the rest (a ranker's ties keep it).
  return [...chosen].sort((x, y) => x - y);
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
 * slice, articles published in the slice (never trained on), each of the platform's `regions`
 * (`region:other` for the rest, `region:unknown` without one; every reported region when none
 * are given), and each held-out protocol when both occur.
 */
export function heldOutSlices(
  heldOut: HeldOut,
  orders: readonly string[][],
  regions?: readonly string[],
): Record<string, RankingReport> {
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
  const known = regions && new Set(regions);
  const regionOf = (r: HeldOutReader) =>
    r.region === null ? 'unknown' : !known || known.has(r.region) ? r.region : 'other';
  for (const region of [...new Set(heldOut.readers.map(regionOf))].sort())
    sliceOf(`region:${region}`, (r) => regionOf(r) === region);
  // Two protocols in one slice are not comparable with each other: each is reported on its own.
  if (heldOutProtocols.every((p) => heldOut.protocols[p] > 0)) {
    for (const protocol of heldOutProtocols) sliceOf(`protocol:${protocol}`, (r) => r.protocol === protocol);
  }
  return slices;
}

/** Reads per article in the 24 hours before the slice. */
function readsTheDayBefore(set: TrainingSet, heldOut: HeldOut): Map<string, number> {
  const reads = new Map<string, number>();
  for (const reader of set.readers) {
    reader.time.forEach((t, i) => {
      if (t >= heldOut.at - 24 * HOUR && t < heldOut.at && reader.article[i] >= 0) {
        const id = set.articles[reader.article[i]].articleId;
        reads.set(id, (reads.get(id) ?? 0) + 1);
      }
    });
  }
  return reads;
}

/** Baseline: the candidates most read in the 24 hours before the slice (ties: newest first). */
export function popularityOrders(set: TrainingSet, heldOut: HeldOut): string[][] {
  const reads = readsTheDayBefore(set, heldOut);
  return heldOut.readers.map((r) => byScoreThenNewest(heldOut, r.candidates, (id) => reads.get(id) ?? 0));
}

/**
 * Baseline: popularity within the reader's own categories. Candidates go by their reads in the 24
 * hours before the slice times the reader's share of their category (their dwell-weighted category
 * mix), ties newest first: the most read of the reader's categories lead, and the candidates
 * outside them follow newest first. A reader without a category mix gets plain popularity. (The strongest of the variants tried on the pilot world: a
 * share floor that lets a story everyone reads rise among the reader's own, or ties broken by
 * reads, made it weaker.)
 */
export function categoryPopularityOrders(set: TrainingSet, heldOut: HeldOut): string[][] {
  const reads = readsTheDayBefore(set, heldOut);
  return heldOut.readers.map((r) => {
    const mix = r.profile.categoryMix;
    if (Object.keys(mix).length === 0)
      return byScoreThenNewest(heldOut, r.candidates, (id) => reads.get(id) ?? 0);
    return byScoreThenNewest(
      heldOut,
      r.candidates,
      (id) => (reads.get(id) ?? 0) * (mix[heldOut.articles.get(id)?.category ?? ''] ?? 0),
    );
  });
}

/** `candidates` by `score`, highest first, ties newest first. */
function byScoreThenNewest(
  heldOut: HeldOut,
  candidates: readonly string[],
  score: (id: string) => number,
): string[] {
  const scores = new Map(candidates.map((id) => [id, score(id)]));
  return [...candidates].sort(
    (a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0) || published(heldOut, b) - published(heldOut, a),
  );
}

/** Baseline: the newest candidates first. */
export function recencyOrders(heldOut: HeldOut): string[][] {
  return heldOut.readers.map((r) =>
    [...r.candidates].sort((a, b) => published(heldOut, b) - published(heldOut, a) || (a < b ? -1 : 1)),
  );
}

/**
 * The model's order of each reader's candidates, readers scored in chunks against every candidate
 * article, each article's freshness term of its age at the slice's start (articles published
 * later count as brand new, as batch scoring places them on arrival).
 */
export function modelOrders(model: TwoTowerModel, encoder: FeatureEncoder, heldOut: HeldOut): string[][] {
  // Nothing to score (an empty tensor would trap in the WebAssembly backend).
  if (heldOut.readers.length === 0) return [];
  const articles = [...heldOut.articles.values()];
  const column = new Map(articles.map((a, i) => [a.articleId, i]));
  const freshness = model.freshnessTerms(
    ageBucketsAt(
      heldOut.at,
      articles.map((a) => Date.parse(a.publishedAt)),
    ),
  );
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
        const score = (id: string) => {
          const at = column.get(id) ?? 0;
          return values[row * articles.length + at] + freshness[at];
        };
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

/** A ranker's report on the held-out slice: overall and per slice (see heldOutSlices). */
export function evaluateOrders(
  heldOut: HeldOut,
  orders: readonly string[][],
  regions?: readonly string[],
): EvaluationReport {
  return { overall: rankingReport(heldOut, orders), slices: heldOutSlices(heldOut, orders, regions) };
}
