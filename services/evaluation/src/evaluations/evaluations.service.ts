import { Injectable } from '@nestjs/common';
import { newEvent, topics } from '@newsroom/contracts';
import { ChampionStore, finiteMetrics } from '@newsroom/ml';
import { counter } from '@newsroom/observability';
import { Outbox, quotedSchema } from '@newsroom/persistence';
import { DataSource, EntityManager } from 'typeorm';
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

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async evaluate(candidate: Candidate): Promise<Evaluation> {
    const stored = await this.find(candidate.modelVersion);
    if (stored) return stored;
    const evaluation = await this.evaluator.evaluate(candidate, await this.champion.current());
    const { candidate: mine, champion, popularity } = evaluation.rankers;
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
              metrics: finiteMetrics({
                ndcgAt10: mine.overall.ndcgAt10,
                recallAt10: mine.overall.recallAt10,
                mrr: mine.overall.mrr,
                auc: mine.overall.auc,
                coverage: mine.overall.coverage,
                freshShare: mine.overall.freshShare,
                popularityNdcgAt10: popularity.overall.ndcgAt10,
                ...(champion ? { championNdcgAt10: champion.overall.ndcgAt10 } : {}),
              }),
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
