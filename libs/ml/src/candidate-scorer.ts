import * as tf from '@tensorflow/tfjs';
import { featureGroups } from '@newsroom/contracts';
import {
  GroupAttributor,
  articleCoalitionCount,
  attributePair,
  readerCoalitionCount,
} from './attribution/group-attributor';
import { ArticleContent, FeatureEncoder, ReaderProfile } from './feature-encoder';
import { TopK, topKPerRow } from './top-k';
import { TwoTowerModel } from './two-tower';

const ageGroup = featureGroups.indexOf('article.age');
/** Readers scored against the pool per matrix product: [chunk, pool] floats stay a few MiB. */
const readerChunk = 256;

export interface ScoredReaders {
  /** [readers, dimensions]: kept so that a new article can be scored against them later. */
  vectors: Float32Array;
  top: TopK;
  /** When the pool has coalition vectors: what explains each reader's top k (see explain). */
  explained?: ExplainedReaders;
}

export interface ExplainedReaders {
  /** [readers, 4, dimensions]: the readers' coalition vectors, for explaining articles scored later. */
  readerCoalitions: Float32Array;
  /**
   * [readers, k, 6]: the Shapley values, in `featureGroups` order, of each article of the top k
   * (zero where the top k is short: its index is −1); the last is the article's freshness term.
   */
  attributions: Float32Array;
}

/**
 * Scores readers against a pool of candidate articles with a model: article vectors once per
 * pool, reader vectors per batch, their dot products chunk by chunk plus each article's freshness
 * term, and each reader's top k. Given an attributor and the pool's coalition vectors, it also
 * explains each top k.
 */
export class CandidateScorer {
  private pool?: tf.Tensor2D;
  /** [1, pool]: each candidate's freshness term, when the pool has them. */
  private poolFreshness?: tf.Tensor2D;
  private poolFreshnessValues?: Float32Array;
  /** [pool, 8, dimensions]: each candidate's coalition vectors (GroupAttributor). */
  private poolCoalitions?: Float32Array;
  private attributor?: GroupAttributor;

  constructor(
    readonly model: TwoTowerModel,
    readonly encoder: FeatureEncoder,
  ) {}

  /** Explains lists from now on with this attributor (of this scorer's model); none: no longer. */
  explainWith(attributor: GroupAttributor | undefined): void {
    if (attributor && attributor.model !== this.model) throw new Error('the attributor is of another model');
    this.attributor?.dispose();
    this.attributor = attributor;
  }

  get dimensions(): number {
    return this.model.shape.dimensions;
  }

  /** [articles, dimensions], unit length. */
  articleVectors(articles: readonly ArticleContent[]): Float32Array {
    if (articles.length === 0) return new Float32Array(0);
    const vectors = this.model.articleVectors(this.encoder.articles(articles));
    try {
      return vectors.dataSync() as Float32Array;
    } finally {
      vectors.dispose();
    }
  }

  /** [articles, 8, dimensions]: each article's coalition vectors (needs `explainWith`). */
  articleCoalitions(articles: readonly ArticleContent[]): Float32Array {
    const attributor = this.explaining();
    if (articles.length === 0) return new Float32Array(0);
    const coalitions = attributor.articleCoalitions(this.encoder.articles(articles));
    try {
      return coalitions.dataSync() as Float32Array;
    } finally {
      coalitions.dispose();
    }
  }

  /**
   * The candidates the next `scoreReaders` calls rank: article vectors as `articleVectors` gives
   * them, for explained lists their coalition vectors as `articleCoalitions` gives them, and each
   * one's freshness term at the ranking's moment (`freshnessTerms` of its age bucket; none: 0).
   */
  setPool(vectors: Float32Array, coalitions?: Float32Array, freshness?: Float32Array): void {
    const count = vectors.length / this.dimensions;
    if (freshness && freshness.length !== count)
      throw new RangeError(`${freshness.length} freshness terms for a pool of ${count} articles`);
    this.pool?.dispose();
    this.poolFreshness?.dispose();
    this.pool = tf.tensor2d(vectors, [count, this.dimensions]);
    this.poolCoalitions = coalitions;
    this.poolFreshnessValues = freshness;
    this.poolFreshness = freshness && count > 0 ? tf.tensor2d(freshness, [1, count]) : undefined;
  }

  /**
   * Each reader's k best pool articles (pool indices), skipping `excluded[reader]` (what they have
   * read). An empty pool gives every reader an empty list.
   */
  scoreReaders(
    profiles: readonly ReaderProfile[],
    excluded: readonly (readonly number[])[],
    k: number,
  ): ScoredReaders {
    const pool = this.pool;
    if (!pool) throw new Error('scoreReaders before setPool');
    const rows = profiles.length;
    const cols = pool.shape[0];
    const inputs = this.encoder.readers(profiles);
    const coalitions =
      this.poolCoalitions && cols > 0 ? this.explaining().readerCoalitions(inputs) : undefined;
    // Explaining, a reader's vector is its coalition of every reader group (the tower's own sum,
    // projected): the towers run once, and each score is exactly the one its values explain.
    const readerVectors = coalitions
      ? tf.tidy(() =>
          coalitions
            .slice([0, readerCoalitionCount - 1, 0], [rows, 1, this.dimensions])
            .reshape([rows, this.dimensions]),
        )
      : this.model.readerVectors(inputs);
    try {
      const vectors = readerVectors.dataSync() as Float32Array;
      const top: TopK = { k, indices: new Int32Array(rows * k).fill(-1), scores: new Float32Array(rows * k) };
      for (let from = 0; from < rows && cols > 0; from += readerChunk) {
        const count = Math.min(readerChunk, rows - from);
        const product = tf.tidy(() => {
          const dots = tf.matMul(readerVectors.slice([from, 0], [count, this.dimensions]), pool, false, true);
          return this.poolFreshness ? dots.add(this.poolFreshness) : dots;
        });
        const scores = product.dataSync() as Float32Array;
        product.dispose();
        const chunk = topKPerRow(scores, count, cols, k, (row) => {
          const skip = excluded[from + row];
          return skip && skip.length > 0 ? new Set(skip) : undefined;
        });
        top.indices.set(chunk.indices, from * k);
        top.scores.set(chunk.scores, from * k);
      }
      const explained = coalitions ? this.explain(coalitions.dataSync() as Float32Array, top) : undefined;
      return { vectors, top, ...(explained ? { explained } : {}) };
    } finally {
      readerVectors.dispose();
      coalitions?.dispose();
    }
  }

  dispose(): void {
    this.pool?.dispose();
    this.pool = undefined;
    this.poolFreshness?.dispose();
    this.poolFreshness = undefined;
    this.poolFreshnessValues = undefined;
    this.poolCoalitions = undefined;
    this.explainWith(undefined);
    this.model.dispose();
  }

  /** The attributions of each reader's top k, from their coalition vectors and the pool's. */
  private explain(readerCoalitions: Float32Array, top: TopK): ExplainedReaders {
    const poolCoalitions = this.poolCoalitions as Float32Array;
    const freshness = this.poolFreshnessValues;
    const { k } = top;
    const d = this.dimensions;
    const groups = featureGroups.length;
    const attributions = new Float32Array(top.indices.length * groups);
    top.indices.forEach((article, at) => {
      if (article < 0) return;
      attributePair(
        readerCoalitions,
        Math.floor(at / k) * readerCoalitionCount * d,
        poolCoalitions,
        article * articleCoalitionCount * d,
        d,
        attributions,
        at * groups,
      );
      attributions[at * groups + ageGroup] = freshness?.[article] ?? 0;
    });
    return { readerCoalitions, attributions };
  }

  private explaining(): GroupAttributor {
    if (!this.attributor) throw new Error('no attributor: explainWith first');
    return this.attributor;
  }
}
