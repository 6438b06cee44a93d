import * as tf from '@tensorflow/tfjs';
import { FeatureGroup, articleFeatureGroups, featureGroups, readerFeatureGroups } from '@newsroom/contracts';
import { ArticleInputs, ReaderInputs } from '../feature-encoder';
import { TwoTowerModel } from '../two-tower';
import { AttributionBaseline } from './attribution-baseline';
import { exactShapley, shapleyMatrix } from './shapley';

/** Coalitions of the reader groups (bit 0: recent words, bit 1: category mix). */
export const readerCoalitionCount = 1 << readerFeatureGroups.length;
/** Coalitions of the article groups (bit 0: words, bit 1: category, bit 2: publisher). */
export const articleCoalitionCount = 1 << articleFeatureGroups.length;

/**
 * The players are `featureGroups` in their order: a joint coalition's mask is its reader
 * coalition's bits, then its article coalition's shifted past them.
 */
const players = featureGroups.length;
const readerBits = readerFeatureGroups.length;

/**
 * Exact Shapley values of the model's score over the named feature groups of both towers: the
 * reader's recent-read words and category mix, the article's words, category and publisher. (An
 * article's age and a reader's region are not inputs of the model, so they get none.)
 *
 * A group absent from a coalition takes the baseline's value of its pre-projection term; a
 * coalition's tower vector is unit(P · (Σ present terms + Σ baseline terms of absent ones)). Each
 * reader has 2² coalition vectors and each article 2³, so the score of every one of the 2⁵ joint
 * coalitions is a dot product of the two, and the values are the exact weighted sum over all 32
 * (they add up to score − baselineScore, the score of the baseline reader and article).
 */
export class GroupAttributor {
  /** v(∅): the score of the baseline reader and article. */
  readonly baselineScore: number;
  private readonly base: Record<FeatureGroup, tf.Tensor2D>;
  /** [32, 5]: φ = v · W per (reader, article) pair. */
  private readonly weights: tf.Tensor2D;

  constructor(
    readonly model: TwoTowerModel,
    readonly baseline: AttributionBaseline,
  ) {
    const d = model.shape.dimensions;
    for (const group of featureGroups) {
      if (baseline.terms[group].length !== d) {
        throw new RangeError(
          `baseline ${group} has ${baseline.terms[group].length} values, the model ${d} dimensions`,
        );
      }
    }
    this.base = Object.fromEntries(
      featureGroups.map((group) => [group, tf.tensor2d(baseline.terms[group], [1, d])]),
    ) as Record<FeatureGroup, tf.Tensor2D>;
    this.weights = tf.tensor2d(Float32Array.from(shapleyMatrix(players)), [1 << players, players]);
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
   * [readers, m, 5]: the Shapley values (in `featureGroups` order) of each reader's m articles,
   * from the readers' coalition vectors [readers, 4, d] and their articles' [readers, m, 8, d].
   */
  attribute(readers: tf.Tensor3D, articles: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => {
      const [n, m, coalitions, d] = articles.shape;
      // [n, m·8, 4]: row j·8 + a, column r is the score of reader coalition r with article coalition a
      // of the reader's j-th article; read per pair as [8, 4], its index a·4 + r is the joint mask.
      const values = tf.matMul(articles.reshape([n, m * coalitions, d]), readers, false, true);
      return tf
        .matMul(values.reshape([n * m, coalitions * readerCoalitionCount]), this.weights)
        .reshape([n, m, players]);
    });
  }

  /** [pairs, 5]: the Shapley values (in `featureGroups` order) of each pair (reader i, article i). */
  attributePairs(readers: ReaderInputs, articles: ArticleInputs): Float32Array {
    if (readers.count !== articles.count) {
      throw new RangeError(`${readers.count} readers and ${articles.count} articles are not pairs`);
    }
    // The WebAssembly backend traps on an empty tensor.
    if (readers.count === 0) return new Float32Array(0);
    return tf.tidy(
      () =>
        this.attribute(
          this.readerCoalitions(readers),
          this.articleCoalitions(articles).expandDims(1) as tf.Tensor4D,
        ).dataSync() as Float32Array,
    );
  }

  dispose(): void {
    for (const group of featureGroups) this.base[group].dispose();
    this.weights.dispose();
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
 * The Shapley values (in `featureGroups` order) of one (reader, article) pair from their
 * coalition vectors as GroupAttributor gives them (4·d and 8·d values): for a pair scored outside
 * a batch, without TensorFlow.js.
 */
export function pairAttributions(
  reader: ArrayLike<number>,
  article: ArrayLike<number>,
  dimensions: number,
): Float64Array {
  const values = new Float64Array(1 << players);
  for (let a = 0; a < articleCoalitionCount; a++) {
    for (let r = 0; r < readerCoalitionCount; r++) {
      let dot = 0;
      for (let j = 0; j < dimensions; j++) dot += reader[r * dimensions + j] * article[a * dimensions + j];
      values[r | (a << readerBits)] = dot;
    }
  }
  return exactShapley(values, players);
}

/** Shapley values in `featureGroups` order (from offset `at`) as the contract's record of them. */
export function attributionRecord(values: ArrayLike<number>, at = 0): Record<FeatureGroup, number> {
  return Object.fromEntries(featureGroups.map((group, i) => [group, values[at + i]])) as Record<
    FeatureGroup,
    number
  >;
}
