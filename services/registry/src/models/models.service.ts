import { Injectable, Logger } from '@nestjs/common';
import { TopicPayload, newEvent, topics } from '@newsroom/contracts';
import { Outbox, advisoryXactLock, quotedSchema, schemaOf, updateReturning } from '@newsroom/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { ModelStage, ModelVersion, Promotion } from './model-version';

type Trained = TopicPayload<typeof topics.modelTrained>;
type Evaluated = TopicPayload<typeof topics.modelEvaluated>;

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly kind: 'not-found' | 'conflict',
  ) {
    super(message);
  }
}

const stagesLock = 'registry:stages';

function evaluationOf(evaluated: Evaluated): NonNullable<ModelVersion['evaluation']> {
  const { passed, reasons, metrics, championVersion, featureImportance } = evaluated;
  return { passed, reasons, metrics, championVersion, ...(featureImportance ? { featureImportance } : {}) };
}

/**
 * Model versions and their stages. Every change of stage runs in a transaction holding the stages
 * lock, and a partial unique index allows one champion at most, so there is exactly one champion
 * whatever arrives concurrently. A version is decided once both its `model.trained` and its
 * `model.evaluated` are in, in either order.
 */
@Injectable()
export class ModelsService {
  private readonly logger = new Logger(ModelsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async registerTrained(trained: Trained): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO ${quotedSchema(manager.connection)}.model_versions
           (model_version, stage, run_id, artifact, dataset_id, parent_version, code_version, params, metrics)
         VALUES ($1, 'candidate', $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [
          trained.modelVersion,
          trained.runId,
          trained.artifact,
          trained.datasetId,
          trained.parentVersion,
          trained.codeVersion,
          trained.params,
          trained.metrics,
        ],
      );
      await this.decide(manager, trained.modelVersion);
    });
  }

  async registerEvaluated(evaluated: Evaluated): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO ${quotedSchema(manager.connection)}.evaluations (model_version, passed, evaluation)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [evaluated.modelVersion, evaluated.passed, evaluated],
      );
      await this.decide(manager, evaluated.modelVersion);
    });
  }

  /** Promotes a version by hand (admin); it must not be the champion already. */
  promote(modelVersion: string, reason: string): Promise<ModelVersion> {
    return this.dataSource.transaction(async (manager) => {
      await this.lockStages(manager);
      const version = await this.stageOf(manager, modelVersion);
      if (!version) throw new RegistryError(`no model version "${modelVersion}"`, 'not-found');
      if (version === 'champion')
        throw new RegistryError(`"${modelVersion}" is the champion already`, 'conflict');
      await this.makeChampion(manager, modelVersion, 'manual', reason);
      return (await this.find(modelVersion, manager)) as ModelVersion;
    });
  }

  /**
   * Restores the champion the current one replaced when it was promoted (by evaluation or by hand),
   * so repeated rollbacks walk back through the history.
   */
  rollback(reason: string): Promise<ModelVersion> {
    return this.dataSource.transaction(async (manager) => {
      await this.lockStages(manager);
      const s = quotedSchema(manager.connection);
      const [current] = await manager.query(
        `SELECT model_version FROM ${s}.model_versions WHERE stage = 'champion'`,
      );
      if (!current) throw new RegistryError('there is no champion to roll back', 'conflict');
      const [promoted] = await manager.query(
        `SELECT previous_version FROM ${s}.promotions
         WHERE model_version = $1 AND kind <> 'rollback' ORDER BY sequence DESC LIMIT 1`,
        [current.model_version],
      );
      const target: string | null = promoted?.previous_version ?? null;
      if (!target)
        throw new RegistryError(`"${current.model_version}" replaced no earlier champion`, 'conflict');
      await this.makeChampion(manager, target, 'rollback', reason);
      await this.outbox.enqueue(manager, topics.modelRolledBack, [
        {
          key: target,
          value: newEvent(
            topics.modelRolledBack.name,
            { fromVersion: current.model_version, toVersion: target, reason },
            'registry',
          ),
        },
      ]);
      this.logger.warn(`rolled back from ${current.model_version} to ${target}: ${reason}`);
      return (await this.find(target, manager)) as ModelVersion;
    });
  }

  async find(
    modelVersion: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<ModelVersion | undefined> {
    const [version] = await this.rows(manager, 'WHERE v.model_version = $1', [modelVersion]);
    return version;
  }

  list(stage?: ModelStage, limit = 50): Promise<ModelVersion[]> {
    return this.rows(
      this.dataSource.manager,
      'WHERE $1::text IS NULL OR v.stage = $1 ORDER BY v.created_at DESC LIMIT $2',
      [stage ?? null, limit],
    );
  }

  /** A candidate with both events in: promoted if its evaluation passed, else rejected. */
  private async decide(manager: EntityManager, modelVersion: string): Promise<void> {
    const s = quotedSchema(manager.connection);
    await this.lockStages(manager);
    const [row] = await manager.query(
      `SELECT e.passed, e.evaluation FROM ${s}.model_versions v JOIN ${s}.evaluations e USING (model_version)
       WHERE v.model_version = $1 AND v.stage = 'candidate'`,
      [modelVersion],
    );
    if (!row) return;
    const judgedAgainst: string | null = row.evaluation.championVersion;
    const [current] = await manager.query(
      `SELECT model_version FROM ${s}.model_versions WHERE stage = 'champion'`,
    );
    const champion: string | null = current?.model_version ?? null;
    let reason: string;
    if (!row.passed) {
      reason = (row.evaluation.reasons as string[]).filter((r) => r.startsWith('FAIL')).join('; ');
    } else if (champion !== judgedAgainst && champion !== modelVersion) {
      // The champion changed since (a rollback, a manual promotion, another candidate): a pass
      // against another model says nothing about this one.
      reason = `evaluated against ${judgedAgainst ?? 'no champion'}, but the champion is now ${champion ?? 'none'}`;
    } else {
      await this.makeChampion(manager, modelVersion, 'evaluation', 'passed evaluation');
      return;
    }
    await manager.query(
      `UPDATE ${s}.model_versions SET stage = 'rejected', stage_reason = $2, stage_changed_at = now() WHERE model_version = $1`,
      [modelVersion, reason],
    );
    this.logger.log(`${modelVersion} rejected: ${reason}`);
  }

  private async makeChampion(
    manager: EntityManager,
    modelVersion: string,
    kind: Promotion['kind'],
    reason: string,
  ): Promise<void> {
    const s = quotedSchema(manager.connection);
    const previous = await updateReturning<{ model_version: string }>(
      manager,
      `UPDATE ${s}.model_versions SET stage = 'archived', stage_changed_at = now()
       WHERE stage = 'champion' RETURNING model_version`,
    );
    const [promoted] = await updateReturning<{ artifact: { uri: string; sha256: string } }>(
      manager,
      `UPDATE ${s}.model_versions SET stage = 'champion', stage_reason = NULL, stage_changed_at = now()
       WHERE model_version = $1 RETURNING artifact`,
      [modelVersion],
    );
    const previousVersion = previous[0]?.model_version ?? null;
    const [{ sequence }] = await manager.query(
      `INSERT INTO ${s}.promotions (model_version, previous_version, kind, reason) VALUES ($1, $2, $3, $4) RETURNING sequence`,
      [modelVersion, previousVersion, kind, reason],
    );
    await this.outbox.enqueue(manager, topics.modelPromoted, [
      {
        key: modelVersion,
        value: newEvent(
          topics.modelPromoted.name,
          { modelVersion, sequence: Number(sequence), previousVersion, artifact: promoted.artifact, reason },
          'registry',
        ),
      },
    ]);
    this.logger.log(
      `${modelVersion} is the champion (${kind}: ${reason}), replacing ${previousVersion ?? 'none'}`,
    );
  }

  private lockStages(manager: EntityManager): Promise<void> {
    return advisoryXactLock(manager, `${stagesLock}:${schemaOf(manager.connection)}`);
  }

  private async stageOf(manager: EntityManager, modelVersion: string): Promise<ModelStage | undefined> {
    const [row] = await manager.query(
      `SELECT stage FROM ${quotedSchema(manager.connection)}.model_versions WHERE model_version = $1`,
      [modelVersion],
    );
    return row?.stage;
  }

  private async rows(manager: EntityManager, where: string, params: unknown[]): Promise<ModelVersion[]> {
    const s = quotedSchema(manager.connection);
    const rows = await manager.query(
      `SELECT v.*, e.evaluation,
         coalesce((SELECT json_agg(json_build_object('sequence', p.sequence, 'modelVersion', p.model_version,
             'previousVersion', p.previous_version, 'kind', p.kind, 'reason', p.reason, 'at', p.at) ORDER BY p.sequence)
           FROM ${s}.promotions p WHERE p.model_version = v.model_version), '[]') AS promotions
       FROM ${s}.model_versions v LEFT JOIN ${s}.evaluations e USING (model_version) ${where}`,
      params,
    );
    return rows.map(
      (r: Record<string, never>): ModelVersion => ({
        modelVersion: r['model_version'],
        stage: r['stage'],
        artifact: r['artifact'],
        lineage: {
          runId: r['run_id'],
          datasetId: r['dataset_id'],
          parentVersion: r['parent_version'],
          codeVersion: r['code_version'],
          params: r['params'],
        },
        trainingMetrics: r['metrics'],
        evaluation: r['evaluation'] ? evaluationOf(r['evaluation'] as Evaluated) : null,
        promotions: (r['promotions'] as Promotion[]).map((p) => ({ ...p, sequence: Number(p.sequence) })),
        stageReason: r['stage_reason'],
        createdAt: (r['created_at'] as Date).toISOString(),
        stageChangedAt: (r['stage_changed_at'] as Date).toISOString(),
      }),
    );
  }
}
