import { Injectable } from '@nestjs/common';
import { newEvent, topics } from '@newsroom/contracts';
import { finiteMetrics } from '@newsroom/ml';
import { ChampionStore } from '@newsroom/platform';
import { counter } from '@newsroom/observability';
import { Outbox, quotedSchema } from '@newsroom/persistence';
import { DataSource } from 'typeorm';
import { judgeCandidate } from './candidate-judgement';
import { Candidate, Evaluation, Evaluator } from './evaluator';

const decisions = counter('evaluation_decisions_total', 'Evaluated candidates by the gate decision', [
  'decision',
]);

/** Evaluations: computed once per model version, stored, and announced on `model.evaluated`. */
@Injectable()
export class EvaluationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly evaluator: Evaluator,
    private readonly champion: ChampionStore,
  ) {}

  async evaluate(candidate: Candidate): Promise<Evaluation> {
    const stored = await this.find(candidate.modelVersion);
    if (stored) return stored;
    const champion = await this.champion.current();
    const evaluation = await judgeCandidate(
      (c, rival) => this.evaluator.evaluate(c, rival),
      candidate,
      champion ?? undefined,
    );
    const rankers = evaluation.rankers;
    await this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO ${quotedSchema(manager.connection)}.evaluations (model_version, report)
         VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING model_version`,
        [candidate.modelVersion, evaluation],
      );
      if (inserted.length === 0) return;
      await this.outbox.enqueue(manager, topics.modelEvaluated, [
        {
          key: candidate.modelVersion,
          value: newEvent(
            topics.modelEvaluated.name,
            {
              modelVersion: candidate.modelVersion,
              championVersion: evaluation.championVersion,
              passed: evaluation.passed,
              reasons: evaluation.reasons,
              metrics: rankers
                ? finiteMetrics({
                    ndcgAt10: rankers.candidate.overall.ndcgAt10,
                    recallAt10: rankers.candidate.overall.recallAt10,
                    mrr: rankers.candidate.overall.mrr,
                    auc: rankers.candidate.overall.auc,
                    coverage: rankers.candidate.overall.coverage,
                    freshShare: rankers.candidate.overall.freshShare,
                    popularityNdcgAt10: rankers.popularity.overall.ndcgAt10,
                    categoryPopularityNdcgAt10: rankers.categoryPopularity.overall.ndcgAt10,
                    recencyNdcgAt10: rankers.recency.overall.ndcgAt10,
                    ...(rankers.champion ? { championNdcgAt10: rankers.champion.overall.ndcgAt10 } : {}),
                    ...sliceMetrics(rankers),
                  })
                : {},
              ...(evaluation.featureImportance ? { featureImportance: evaluation.featureImportance } : {}),
            },
            'evaluation',
          ),
        },
      ]);
      decisions.inc({ decision: evaluation.passed ? 'passed' : 'failed' });
    });
    return evaluation;
  }

  async find(modelVersion: string): Promise<Evaluation | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT report FROM ${quotedSchema(this.dataSource)}.evaluations WHERE model_version = $1`,
      [modelVersion],
    );
    return row?.report;
  }

  async list(limit: number): Promise<Evaluation[]> {
    const rows: { report: Evaluation }[] = await this.dataSource.query(
      `SELECT report FROM ${quotedSchema(this.dataSource)}.evaluations ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.report);
  }
}

/** Each slice's readers and every ranker's NDCG@10 on it, as `<slice>.<key>` (model cards show them per slice). */
function sliceMetrics(rankers: NonNullable<Evaluation['rankers']>): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [slice, report] of Object.entries(rankers.candidate.slices)) {
    metrics[`${slice}.readers`] = report.readers;
    metrics[`${slice}.ndcgAt10`] = report.ndcgAt10;
    for (const ranker of ['champion', 'popularity', 'categoryPopularity', 'recency'] as const) {
      const theirs = rankers[ranker]?.slices[slice];
      if (theirs) metrics[`${slice}.${ranker}NdcgAt10`] = theirs.ndcgAt10;
    }
  }
  return metrics;
}
