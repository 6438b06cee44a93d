import * as tf from '@tensorflow/tfjs';
import { DatasetArticle } from '@newsroom/contracts';
import { TrainingSet } from './dataset';
import { FeatureEncoder, ReaderProfile } from './feature-encoder';
import { readerAt } from './train';
import {
  Judgement,
  catalogueCoverage,
  freshShare,
  mean,
  ndcgAt,
  recallAt,
  reciprocalRank,
} from './ranking-metrics';
import { TwoTowerModel } from './two-tower';

const HOUR = 3_600_000;

/** The validation slice as a ranking task: each reader, as of the slice's start, against the fresh articles. */
export interface HeldOut {
  at: number;
  candidates: DatasetArticle[];
  readers: {
    userId: string;
    profile: ReaderProfile;
    /** What the reader read in the slice: the relevance judgements. */
    read: Map<string, number>;
    /** Read before the slice: never recommended again. */
    seen: Set<string>;
  }[];
}

/**
 * Readers with reads in the validation slice, with their history as of its start; candidates are
 * the articles published in the `candidateHours` before the window's end, not flagged.
 */
export function heldOutSlice(set: TrainingSet, candidateHours = 48): HeldOut {
  const at = Date.parse(set.header.validationFrom);
  const end = Date.parse(set.header.window.end);
  const byReader = new Map<number, number[]>();
  for (let i = 0; i < set.examples.count; i++) {
    if (!set.examples.validation[i]) continue;
    const list = byReader.get(set.examples.reader[i]) ?? [];
    list.push(i);
    byReader.set(set.examples.reader[i], list);
  }
  const readers: HeldOut['readers'] = [];
  for (const [r, examples] of byReader) {
    // As of the reader's first read in the slice: everything before it, newest first.
    const profile = readerAt(set, examples[0], Infinity);
    const before = set.readers[r].article.subarray(0, set.examples.history[examples[0]]);
    const seen = new Set(
      Array.from(before)
        .filter((a) => a >= 0)
        .map((a) => set.articles[a].articleId),
    );
    const read = new Map<string, number>();
    for (const i of examples) {
      const id = set.articles[set.examples.article[i]].articleId;
      read.set(id, (read.get(id) ?? 0) + set.examples.dwell[i]);
    }
    readers.push({ userId: set.readers[r].userId, profile, read, seen });
  }
  const candidates = set.articles.filter(
    (a) =>
      !a.flagged &&
      Date.parse(a.publishedAt) >= end - candidateHours * HOUR &&
      Date.parse(a.publishedAt) < end,
  );
  return { at, candidates, readers };
}

export interface RankingReport {
  ndcgAt10: number;
  recallAt10: number;
  mrr: number;
  coverage: number;
  freshShare: number;
  readers: number;
}

/** Metrics of one top-10 list per held-out reader (in `heldOut.readers` order). */
export function rankingReport(heldOut: HeldOut, rankings: string[][]): RankingReport {
  const judgements: Judgement[] = heldOut.readers.map((reader, i) => ({
    ranked: rankings[i],
    dwell: reader.read,
  }));
  const published = new Map(heldOut.candidates.map((a) => [a.articleId, Date.parse(a.publishedAt)]));
  return {
    ndcgAt10: mean(judgements.map((j) => ndcgAt(10, j))),
    recallAt10: mean(judgements.map((j) => recallAt(10, j))),
    mrr: mean(judgements.map((j) => reciprocalRank(j))),
    coverage: catalogueCoverage(10, rankings, heldOut.candidates.length),
    freshShare: mean(
      rankings.map((r) => freshShare(10, r, (id) => heldOut.at - (published.get(id) ?? 0), 24 * HOUR)),
    ),
    readers: judgements.length,
  };
}

/** The top k of `order` without what the reader has seen. */
function topUnseen(order: readonly string[], seen: Set<string>, k: number): string[] {
  const top: string[] = [];
  for (const id of order) {
    if (top.length === k) break;
    if (!seen.has(id)) top.push(id);
  }
  return top;
}

/** Baseline: the candidates most read in the 24 hours before the slice, the same list for everyone. */
export function popularityRankings(set: TrainingSet, heldOut: HeldOut, k = 10): string[][] {
  const reads = new Map<string, number>();
  for (const reader of set.readers) {
    reader.time.forEach((t, i) => {
      if (t >= heldOut.at - 24 * HOUR && t < heldOut.at && reader.article[i] >= 0) {
        const id = set.articles[reader.article[i]].articleId;
        reads.set(id, (reads.get(id) ?? 0) + 1);
      }
    });
  }
  const order = heldOut.candidates
    .map((a) => a.articleId)
    .sort((a, b) => (reads.get(b) ?? 0) - (reads.get(a) ?? 0) || (a < b ? -1 : 1));
  return heldOut.readers.map((r) => topUnseen(order, r.seen, k));
}

/** Baseline: the newest candidates published before the slice. */
export function recencyRankings(heldOut: HeldOut, k = 10): string[][] {
  const order = heldOut.candidates
    .filter((a) => Date.parse(a.publishedAt) < heldOut.at)
    .sort((a, b) => Date.parse(b.publishedAt) - Date.parse(a.publishedAt))
    .map((a) => a.articleId);
  return heldOut.readers.map((r) => topUnseen(order, r.seen, k));
}

/** The model's top k per reader, scored against every candidate in chunks of readers. */
export function modelRankings(
  model: TwoTowerModel,
  encoder: FeatureEncoder,
  heldOut: HeldOut,
  k = 10,
): string[][] {
  const ids = heldOut.candidates.map((a) => a.articleId);
  const articleVectors = model.articleVectors(encoder.articles(heldOut.candidates));
  const rankings: string[][] = [];
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
        // Top k by insertion into a short sorted list: O(candidates · k), no full sort per reader.
        const best: { id: string; score: number }[] = [];
        for (let c = 0; c < ids.length; c++) {
          const score = values[row * ids.length + c];
          if ((best.length === k && score <= best[k - 1].score) || reader.seen.has(ids[c])) continue;
          let at = best.length;
          while (at > 0 && best[at - 1].score < score) at--;
          best.splice(at, 0, { id: ids[c], score });
          if (best.length > k) best.pop();
        }
        rankings.push(best.map((b) => b.id));
      });
    }
  } finally {
    articleVectors.dispose();
  }
  return rankings;
}
