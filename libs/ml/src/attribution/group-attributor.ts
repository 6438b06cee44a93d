import * as tf from '@tensorflow/tfjs';
import {
  FeatureGroup,
  TowerFeatureGroup,
  articleFeatureGroups,
  featureGroups,
  readerFeatureGroups,
  towerFeatureGroups,
} from '@newsroom/contracts';
import { ArticleInputs, ReaderInputs } from '../feature-encoder';
import { TwoTowerModel } from '../two-tower';
import { AttributionBaseline } from './attribution-baseline';
import { shapleyMatrix } from './shapley';

/** Coalitions of the reader groups (bit 0: recent words, bit 1: category mix). */
export const readerCoalitionCount = 1 << readerFeatureGroups.length;
/** Coalitions of the article groups (bit 0: words, bit 1: category, bit 2: publisher). */
export const articleCoalitionCount = 1 << articleFeatureGroups.length;

/**
 * The players are `towerFeatureGroups` in their order: a joint coalition's mask is its reader
 * coalition's bits, then its article coalition's shifted past them. The freshness term lies outside
 * the towers and interacts with no group: its value is the term itself (the baseline has none).
 */
const players = towerFeatureGroups.length;
const ageGroup = featureGroups.indexOf('article.age');
const readerBits = readerFeatureGroups.length;
/** [32, 5]: a pair's values are φ = v · W, v its 32 joint coalitions' scores. */
const weights = shapleyMatrix(players);

/**
 * Exact Shapley values of the model's score over the named feature groups of both towers: the
 * reader's recent-read words and category mix, the article's words, category and publisher; and
 * the article's freshness term, outside the towers, as its own value. (A reader's region is not an
 * input of the model, so it gets none.)
 *
 * A group absent from a coalition takes the baseline's value of its pre-projection term; a
 * coalition's tower vector is unit(P · (Σ present terms + Σ baseline terms of absent ones)). Each
 * reader has 2² coalition vectors and each article 2³, so the score of every one of the 2⁵ joint
 * coalitions is a dot product of the two, and the values are the exact weighted sum over all 32
 * (they add up to score − baselineScore, the score of the baseline reader and article). The
 * coalition vectors are computed in batches on TensorFlow.js; a pair's 32 dot products and their
 * weighted sum are done in plain loops (attributePair): gathering each listed article's vectors
 * into a tensor cost many times more than the arithmetic.
 */
export class GroupAttributor {
  /** v(∅): the score of the baseline reader and article. */
  readonly baselineScore: number;
  private readonly base: Record<TowerFeatureGroup, tf.Tensor2D>;

  constructor(
    readonly model: TwoTowerModel,
    readonly baseline: AttributionBaseline,
  ) {
    const d = model.shape.dimensions;
    for (const group of towerFeatureGroups) {
      if (baseline.terms[group].length !== d) {
        throw new RangeError(
          `baseline ${group} has ${baseline.terms[group].length} values, the model ${d} dimensions`,
        );
      }
    }
    this.base = Object.fromEntries(
      towerFeatureGroups.map((group) => [group, tf.tensor2d(baseline.terms[group], [1, d])]),
    ) as Record<TowerFeatureGroup, tf.Tensor2D>;
    this.baselineScore = tf.tidy(() => {
      const reader = model.projectReaders(
        this.base['reader.recentWords'].add(this.base['reader.categoryMix']),
      );
      const article = model.projectArticles(
        this.base['article.words'].add(this.base['article.category']).add(this.base['article.publisher']),
      );
      return reader.mul(article).sum().dataSync()[0];
    });
  }

  /** [count, 4, dimensions]: each reader's vector under each coalition of the reader groups. */
  readerCoalitions(inputs: ReaderInputs): tf.Tensor3D {
    return tf.tidy(() => {
      const terms = this.model.readerTerms(inputs);
      return coalitionVectors(
        [terms.recentWords, terms.categoryMix],
        [this.base['reader.recentWords'], this.base['reader.categoryMix']],
        (sums) => this.model.projectReaders(sums),
      );
    });
  }

  /** [count, 8, dimensions]: each article's vector under each coalition of the article groups. */
  articleCoalitions(inputs: ArticleInputs): tf.Tensor3D {
    return tf.tidy(() => {
      const terms = this.model.articleTerms(inputs);
      return coalitionVectors(
        [terms.words, terms.category, terms.publisher],
        [this.base['article.words'], this.base['article.category'], this.base['article.publisher']],
        (sums) => this.model.projectArticles(sums),
      );
    });
  }

  /**
   * [pairs · 6]: the Shapley values (in `featureGroups` order) of each pair (reader i, article i),
   * the last being `freshness[i]`, the article's freshness term (none: 0).
   */
  attributePairs(readers: ReaderInputs, articles: ArticleInputs, freshness?: Float32Array): Float32Array {
    if (readers.count !== articles.count) {
      throw new RangeError(`${readers.count} readers and ${articles.count} articles are not pairs`);
    }
    // The WebAssembly backend traps on an empty tensor.
    if (readers.count === 0) return new Float32Array(0);
    const d = this.model.shape.dimensions;
    const [readerVectors, articleVectors] = tf.tidy(() => [
      this.readerCoalitions(readers).dataSync(),
      this.articleCoalitions(articles).dataSync(),
    ]);
    const groups = featureGroups.length;
    const values = new Float32Array(readers.count * groups);
    for (let i = 0; i < readers.count; i++) {
      attributePair(
        readerVectors,
        i * readerCoalitionCount * d,
        articleVectors,
        i * articleCoalitionCount * d,
        d,
        values,
        i * groups,
      );
      values[i * groups + ageGroup] = freshness?.[i] ?? 0;
    }
    return values;
  }

  dispose(): void {
    for (const group of towerFeatureGroups) this.base[group].dispose();
  }
}

/**
 * [rows, 2^groups, d]: the projected vector of every coalition of the groups, row by row; an
 * absent group's term is its baseline ([1, d], broadcast). Terms are summed in the tower's own
 * order, so the full coalition is the tower's vector.
 */
function coalitionVectors(
  present: tf.Tensor2D[],
  absent: tf.Tensor2D[],
  project: (sums: tf.Tensor2D) => tf.Tensor2D,
): tf.Tensor3D {
  const [rows, d] = present[0].shape;
  const count = 1 << present.length;
  const sums: tf.Tensor2D[] = [];
  for (let mask = 0; mask < count; mask++) {
    const term = (g: number) => (mask & (1 << g) ? present[g] : absent[g]);
    let sum = term(0);
    for (let g = 1; g < present.length; g++) sum = sum.add(term(g));
    sums.push(tf.broadcastTo(sum, [rows, d]));
  }
  // Coalition-major [count·rows, d] → [rows, count, d].
  return project(tf.concat(sums, 0)).reshape([count, rows, d]).transpose([1, 0, 2]) as tf.Tensor3D;
}

/**
 * Writes the Shapley values (in `towerFeatureGroups` order) of one (reader, article) pair into `out` at
 * `outAt`, from their coalition vectors as GroupAttributor gives them: 4·d values of `readers` at
 * `readerAt`, 8·d of `articles` at `articleAt`. The 32 joint coalitions' scores are dot products of
 * the two; their weighted sum is exact (exactShapley's weights), in double precision.
 */
export function attributePair(
  readers: ArrayLike<number>,
  readerAt: number,
  articles: ArrayLike<number>,
  articleAt: number,
  d: number,
  out: Float32Array | Float64Array,
  outAt: number,
): void {
  for (let g = 0; g < players; g++) out[outAt + g] = 0;
  for (let a = 0; a < articleCoalitionCount; a++) {
    const article = articleAt + a * d;
    for (let r = 0; r < readerCoalitionCount; r++) {
      const reader = readerAt + r * d;
      let score = 0;
      for (let j = 0; j < d; j++) score += readers[reader + j] * articles[article + j];
      const row = (r | (a << readerBits)) * players;
      for (let g = 0; g < players; g++) out[outAt + g] += weights[row + g] * score;
    }
  }
}

/**
 * The Shapley values (in `featureGroups` order) of one (reader, article) pair from their coalition
 * vectors (4·d and 8·d values) and the article's freshness term.
 */
export function pairAttributions(
  reader: ArrayLike<number>,
  article: ArrayLike<number>,
  dimensions: number,
  freshness: number,
): Float64Array {
  const values = new Float64Array(featureGroups.length);
  attributePair(reader, 0, article, 0, dimensions, values, 0);
  values[ageGroup] = freshness;
  return values;
}

/**
 * Shapley values in `featureGroups` order (from offset `at`) as the contract's record of them,
 * each to 7 significant digits: as precise as the float32 vectors they come from, and half the
 * characters of a double's in every list published (six values still add up within 1e-6).
 */
export function attributionRecord(values: ArrayLike<number>, at = 0): Record<FeatureGroup, number> {
  return Object.fromEntries(
    featureGroups.map((group, i) => [group, Number(values[at + i].toPrecision(7))]),
  ) as Record<FeatureGroup, number>;
}
