import { Inject, Injectable, Logger } from '@nestjs/common';
import { ArtifactStore } from '@newsroom/artifacts';
import { featureGroups, recommendationListSize } from '@newsroom/contracts';
import {
  AttributionBaseline,
  ReaderProfile,
  ageBucketsAt,
  articleCoalitionCount,
  attributionRecord,
  baselineSampleSize,
  readerCoalitionCount,
  readerProfileFromFeatures,
  stableSample,
} from '@newsroom/ml';
import { quotedSchema } from '@newsroom/persistence';
import { Champion, SERVICE_CONFIG } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { BatchScoringConfig } from '../config';
import { ArticleCatalog } from './article-catalog';
import { ListItem, ListModel } from './reader-lists';
import { ScoringWorkers } from './scoring-workers';

export interface ReaderRow {
  user_id: string;
  category_mix: Record<string, number>;
  recent_reads: { articleId: string; dwellSeconds: number; at: string }[];
  version: string;
}

export interface ScoredList {
  userId: string;
  items: ListItem[];
  /** The reader's vector under the model, for scoring articles that arrive later. */
  vector: Float32Array;
  /** The reader's coalition vectors (4), for explaining articles that arrive later; when explained. */
  readerCoalitions?: Float32Array;
  version: string;
}

/** The candidates of one model: fresh, unflagged articles and their vectors, in a fixed order. */
export interface CandidatePool {
  id: number;
  model: ListModel;
  articleIds: string[];
  index: Map<string, number>;
  vectors: Float32Array;
  /** When lists are explained: each candidate's coalition vectors (8 per candidate), in the same order. */
  coalitions?: Float32Array;
  /**
   * Each candidate's freshness term, of its age when the pool was made, as of the newest
   * candidate's publication (the candidates' own clock, as `ArticleCatalog.fresh` keeps it).
   */
  freshness: Float32Array;
}

/** Readers per request to a scoring thread: big enough to keep a thread busy, small enough to spread. */
const readersPerRequest = 1_000;

/**
 * Scores readers with the champion on this replica's threads: loads the champion's artifact into
 * them when it changes, keeps the candidate pool's vectors (each article's computed once per
 * model), and turns readers' features into their top-50 lists. With SCORING_ATTRIBUTIONS, each
 * listed item carries its exact attributions, computed on the same threads from each article's
 * coalition vectors (also computed once per model) and each reader's.
 */
@Injectable()
export class ScoringEngine {
  private readonly logger = new Logger(ScoringEngine.name);
  private model?: { version: string; dimensions: number; freshness: Float32Array; list: ListModel };
  /** Candidates' vectors under the loaded model, each computed once. */
  private vectors = new Map<string, Float32Array>();
  /** Candidates' coalition vectors under the loaded model (when explaining), each computed once. */
  private coalitions = new Map<string, Float32Array>();
  private pool?: CandidatePool;
  private nextPoolId = 1;
  private preparing: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: BatchScoringConfig,
    private readonly dataSource: DataSource,
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
        const profiles = chunk.map((r) => this.profile(r));
        const excluded = chunk.map((r) =>
          r.recent_reads.flatMap((read) => pool.index.get(read.articleId) ?? []),
        );
        const { vectors, top, explained } = await this.workers.scoreReaders(pool, profiles, excluded, k);
        return chunk.map((reader, row): ScoredList => {
          const items: ListItem[] = [];
          for (let j = 0; j < k && top.indices[row * k + j] >= 0; j++) {
            const at = row * k + j;
            const articleId = pool.articleIds[top.indices[at]];
            const content = this.catalog.content(articleId);
            items.push({
              articleId,
              score: top.scores[at],
              origin: 'model',
              category: content?.category,
              publisher: content?.publisher,
              ...(explained
                ? { attributions: attributionRecord(explained.attributions, at * featureGroups.length) }
                : {}),
            });
          }
          const coalitionValues = readerCoalitionCount * d;
          return {
            userId: reader.user_id,
            items,
            vector: vectors.slice(row * d, (row + 1) * d),
            ...(explained
              ? {
                  readerCoalitions: explained.readerCoalitions.slice(
                    row * coalitionValues,
                    (row + 1) * coalitionValues,
                  ),
                }
              : {}),
            version: reader.version,
          };
        });
      }),
    );
    return scored.flat();
  }

  private profile(row: Pick<ReaderRow, 'category_mix' | 'recent_reads'>): ReaderProfile {
    return readerProfileFromFeatures({ categoryMix: row.category_mix, recentReads: row.recent_reads }, (id) =>
      this.catalog.content(id),
    );
  }

  /** Computes the vectors (and coalition vectors, when explaining) of candidates not seen under the loaded model. */
  private async computeVectors(
    articleIds: readonly string[],
    dimensions: number,
    explain: boolean,
  ): Promise<void> {
    const missing = articleIds.flatMap((id) => {
      const content = this.vectors.has(id) ? undefined : this.catalog.content(id);
      return content ? [{ id, content }] : [];
    });
    if (missing.length === 0) return;
    const computed = await this.workers.articleVectors(
      missing.map((m) => m.content),
      explain,
    );
    const coalitionValues = articleCoalitionCount * dimensions;
    missing.forEach(({ id }, i) => {
      this.vectors.set(id, computed.vectors.slice(i * dimensions, (i + 1) * dimensions));
      if (computed.coalitions)
        this.coalitions.set(id, computed.coalitions.slice(i * coalitionValues, (i + 1) * coalitionValues));
    });
  }

  private async preparePool(champion: Champion): Promise<CandidatePool> {
    if (this.model?.version !== champion.modelVersion) await this.load(champion);
    const model = this.model as NonNullable<ScoringEngine['model']>;
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
    const d = model.dimensions;
    const explain = model.list.attributionBaseline !== undefined;
    await this.computeVectors(ids, d, explain);
    const matrix = new Float32Array(ids.length * d);
    ids.forEach((id, i) => matrix.set(this.vectors.get(id) ?? new Float32Array(d), i * d));
    let coalitions: Float32Array | undefined;
    if (explain) {
      const values = articleCoalitionCount * d;
      coalitions = new Float32Array(ids.length * values);
      ids.forEach((id, i) =>
        coalitions?.set(this.coalitions.get(id) ?? new Float32Array(values), i * values),
      );
    }
    const publishedAt = ids.map((id) => this.catalog.get(id)?.publishedAt ?? Number.NaN);
    const asOf = publishedAt.reduce((newest, t) => (t > newest ? t : newest), 0);
    this.pool = {
      id: this.nextPoolId++,
      model: model.list,
      articleIds: ids,
      index: new Map(ids.map((id, i) => [id, i])),
      vectors: matrix,
      freshness: Float32Array.from(ageBucketsAt(asOf, publishedAt), (b) => model.freshness[b]),
      ...(coalitions ? { coalitions } : {}),
    };
    return this.pool;
  }

  /**
   * Loads the champion into the threads and, with SCORING_ATTRIBUTIONS, has them explain lists
   * from the baseline its file carries (or, for a file without one, one of this replica's own).
   */
  private async load(champion: Champion): Promise<void> {
    const bytes = await this.store.read(champion.artifact);
    const { dimensions, freshness, attributionBaseline, lineage } = await this.workers.load(bytes);
    this.model = undefined;
    this.vectors = new Map();
    this.coalitions = new Map();
    this.pool = undefined;
    const baselineScore = this.config.SCORING_ATTRIBUTIONS
      ? await this.workers.explain(
          attributionBaseline ?? (await this.populationBaseline(champion.modelVersion)),
        )
      : undefined;
    this.model = {
      version: champion.modelVersion,
      dimensions,
      freshness,
      list: {
        modelVersion: champion.modelVersion,
        ...(baselineScore !== undefined ? { attributionBaseline: baselineScore } : {}),
        ...(lineage ?? {}),
      },
    };
    this.logger.log(
      `model ${champion.modelVersion} loaded on ${this.workers.size} scoring threads` +
        (baselineScore !== undefined
          ? `; lists explained from baseline score ${baselineScore.toFixed(4)}`
          : ''),
    );
  }

  /**
   * A baseline for a model file that carries none (written before baselines): up to
   * `baselineSampleSize` of this replica's readers who have read something and of its candidates,
   * each in a stable order, so replicas at the same moment compute the same one.
   */
  private async populationBaseline(modelVersion: string): Promise<AttributionBaseline> {
    await this.catalog.refresh();
    const articles = stableSample(
      this.catalog.fresh(this.config.SCORING_FRESHNESS_HOURS),
      (id) => id,
      baselineSampleSize,
    ).flatMap((id) => this.catalog.content(id) ?? []);
    const readers: Pick<ReaderRow, 'category_mix' | 'recent_reads'>[] = await this.dataSource.query(
      `SELECT category_mix, recent_reads FROM ${quotedSchema(this.dataSource)}.readers
       WHERE jsonb_array_length(recent_reads) > 0 ORDER BY hashtext(user_id), user_id LIMIT $1`,
      [baselineSampleSize],
    );
    const baseline = await this.workers.baseline(
      readers.map((r) => this.profile(r)),
      articles,
    );
    this.logger.warn(
      `model ${modelVersion} carries no attribution baseline (its file predates them): its lists are explained ` +
        `from one computed from this replica's population, ${readers.length} readers and ${articles.length} candidate articles`,
    );
    return baseline;
  }
}
