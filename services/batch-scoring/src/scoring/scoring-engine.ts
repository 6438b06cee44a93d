import { Inject, Injectable, Logger } from '@nestjs/common';
import { ArtifactStore } from '@newsroom/artifacts';
import { recommendationListSize } from '@newsroom/contracts';
import { Champion, readerProfileFromFeatures } from '@newsroom/ml';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { BatchScoringConfig } from '../config';
import { ArticleCatalog } from './article-catalog';
import { ScoringWorkers } from './scoring-workers';

export interface ReaderRow {
  user_id: string;
  category_mix: Record<string, number>;
  recent_reads: { articleId: string; dwellSeconds: number; at: string }[];
  version: string;
}

export interface ScoredList {
  userId: string;
  items: { articleId: string; score: number }[];
  /** The reader's vector under the model, for scoring articles that arrive later. */
  vector: Float32Array;
  version: string;
}

/** The candidates of one model: fresh, unflagged articles and their vectors, in a fixed order. */
export interface CandidatePool {
  id: number;
  modelVersion: string;
  articleIds: string[];
  index: Map<string, number>;
  vectors: Float32Array;
}

/** Readers per request to a scoring thread: big enough to keep a thread busy, small enough to spread. */
const readersPerRequest = 1_000;

/**
 * Scores readers with the champion on this replica's threads: loads the champion's artifact into
 * them when it changes, keeps the candidate pool's vectors (each article's computed once per
 * model), and turns readers' features into their top-50 lists.
 */
@Injectable()
export class ScoringEngine {
  private readonly logger = new Logger(ScoringEngine.name);
  private model?: { version: string; dimensions: number };
  /** Candidates' vectors under the loaded model, each computed once. */
  private vectors = new Map<string, Float32Array>();
  private pool?: CandidatePool;
  private nextPoolId = 1;
  private preparing: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: BatchScoringConfig,
    private readonly store: ArtifactStore,
    private readonly catalog: ArticleCatalog,
    private readonly workers: ScoringWorkers,
  ) {}

  /** The champion loaded and the pool as of now (one preparation at a time). */
  prepare(champion: Champion): Promise<CandidatePool> {
    const next = this.preparing.then(() => this.preparePool(champion));
    this.preparing = next.catch(() => undefined);
    return next;
  }

  /** Each reader's best `recommendationListSize` candidates, never an article they have read. */
  async score(pool: CandidatePool, readers: readonly ReaderRow[]): Promise<ScoredList[]> {
    const d = this.model?.dimensions ?? 0;
    const k = recommendationListSize;
    const chunks: ReaderRow[][] = [];
    for (let i = 0; i < readers.length; i += readersPerRequest)
      chunks.push(readers.slice(i, i + readersPerRequest));
    const scored = await Promise.all(
      chunks.map(async (chunk) => {
        const profiles = chunk.map((r) =>
          readerProfileFromFeatures({ categoryMix: r.category_mix, recentReads: r.recent_reads }, (id) =>
            this.catalog.content(id),
          ),
        );
        const excluded = chunk.map((r) =>
          r.recent_reads.flatMap((read) => pool.index.get(read.articleId) ?? []),
        );
        const { vectors, top } = await this.workers.scoreReaders(pool, profiles, excluded, k);
        return chunk.map((reader, row): ScoredList => {
          const items: ScoredList['items'] = [];
          for (let j = 0; j < k && top.indices[row * k + j] >= 0; j++) {
            items.push({
              articleId: pool.articleIds[top.indices[row * k + j]],
              score: top.scores[row * k + j],
            });
          }
          return {
            userId: reader.user_id,
            items,
            vector: vectors.slice(row * d, (row + 1) * d),
            version: reader.version,
          };
        });
      }),
    );
    return scored.flat();
  }

  /** Computes the vectors of candidates not seen under the loaded model. */
  private async computeVectors(articleIds: readonly string[], dimensions: number): Promise<void> {
    const missing = articleIds.flatMap((id) => {
      const content = this.vectors.has(id) ? undefined : this.catalog.content(id);
      return content ? [{ id, content }] : [];
    });
    if (missing.length === 0) return;
    const computed = await this.workers.articleVectors(missing.map((m) => m.content));
    missing.forEach(({ id }, i) =>
      this.vectors.set(id, computed.slice(i * dimensions, (i + 1) * dimensions)),
    );
  }

  private async preparePool(champion: Champion): Promise<CandidatePool> {
    if (this.model?.version !== champion.modelVersion) {
      const bytes = await this.store.read(champion.artifact);
      const dimensions = await this.workers.load(bytes);
      this.model = { version: champion.modelVersion, dimensions };
      this.vectors = new Map();
      this.pool = undefined;
      this.logger.log(`model ${champion.modelVersion} loaded on ${this.workers.size} scoring threads`);
    }
    await this.catalog.refresh();
    const ids = this.catalog.fresh(this.config.SCORING_FRESHNESS_HOURS);
    const current = this.pool;
    if (
      current &&
      current.articleIds.length === ids.length &&
      current.articleIds.every((id, i) => id === ids[i])
    ) {
      return current;
    }
    const d = this.model.dimensions;
    await this.computeVectors(ids, d);
    const matrix = new Float32Array(ids.length * d);
    ids.forEach((id, i) => matrix.set(this.vectors.get(id) ?? new Float32Array(d), i * d));
    this.pool = {
      id: this.nextPoolId++,
      modelVersion: champion.modelVersion,
      articleIds: ids,
      index: new Map(ids.map((id, i) => [id, i])),
      vectors: matrix,
    };
    return this.pool;
  }
}
