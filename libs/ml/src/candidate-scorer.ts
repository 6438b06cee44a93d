import * as tf from '@tensorflow/tfjs';
import { ArticleContent, FeatureEncoder, ReaderProfile } from './feature-encoder';
import { TopK, topKPerRow } from './top-k';
import { TwoTowerModel } from './two-tower';

/** Readers scored against the pool per matrix product: [chunk, pool] floats stay a few MiB. */
const readerChunk = 256;

export interface ScoredReaders {
  /** [readers, dimensions]: kept so that a new article can be scored against them later. */
  vectors: Float32Array;
  top: TopK;
}

/**
 * Scores readers against a pool of candidate articles with a model: article vectors once per
 * pool, reader vectors per batch, their dot products chunk by chunk, and each reader's top k.
 */
export class CandidateScorer {
  private pool?: tf.Tensor2D;

  constructor(
    readonly model: TwoTowerModel,
    readonly encoder: FeatureEncoder,
  ) {}

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

  /** The candidates the next `scoreReaders` calls rank: article vectors as `articleVectors` gives them. */
  setPool(vectors: Float32Array): void {
    this.pool?.dispose();
    this.pool = tf.tensor2d(vectors, [vectors.length / this.dimensions, this.dimensions]);
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
    const readerVectors = this.model.readerVectors(this.encoder.readers(profiles));
    try {
      const vectors = readerVectors.dataSync() as Float32Array;
      const top: TopK = { k, indices: new Int32Array(rows * k).fill(-1), scores: new Float32Array(rows * k) };
      for (let from = 0; from < rows && cols > 0; from += readerChunk) {
        const count = Math.min(readerChunk, rows - from);
        const product = tf.tidy(() =>
          tf.matMul(readerVectors.slice([from, 0], [count, this.dimensions]), pool, false, true),
        );
        const scores = product.dataSync() as Float32Array;
        product.dispose();
        const chunk = topKPerRow(scores, count, cols, k, (row) => {
          const skip = excluded[from + row];
          return skip && skip.length > 0 ? new Set(skip) : undefined;
        });
        top.indices.set(chunk.indices, from * k);
        top.scores.set(chunk.scores, from * k);
      }
      return { vectors, top };
    } finally {
      readerVectors.dispose();
    }
  }

  dispose(): void {
    this.pool?.dispose();
    this.pool = undefined;
    this.model.dispose();
  }
}
