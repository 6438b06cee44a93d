import { Inject, Injectable, Logger } from '@nestjs/common';
import { ArtifactStore } from '@newsroom/artifacts';
import {
  DatasetManifest,
  datasetFormat,
  datasetTriggers,
  derivedEventId,
  featureSchema,
  newEvent,
  topics,
} from '@newsroom/contracts';
import { histogram } from '@newsroom/observability';
import { Outbox, quotedSchema, schemaOf, withAdvisoryLock } from '@newsroom/persistence';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { FeatureStoreConfig } from '../config';
import { IngestProgress } from '../online/ingest-progress';
import { writeDataset } from './dataset-writer';
import { HighWaterMarks, OfflineStore } from './offline-store';
import { QualityCheckResult, qualityChecks } from './quality-gate';
import { SnapshotWindow } from './snapshot-window';

export type Manifest = z.infer<typeof DatasetManifest>;
export type DatasetTrigger = (typeof datasetTriggers)[number];
export type SnapshotOutcome =
  | { outcome: 'created' | 'existing'; manifest: Manifest }
  | { outcome: 'rejected'; checks: QualityCheckResult[] };

const buildSeconds = histogram(
  'features_snapshot_build_seconds',
  'Time to build a dataset snapshot',
  ['outcome'],
  [1, 5, 15, 30, 60, 120, 300],
);

/**
 * Builds dataset snapshots: reads the offline store up to high-water marks, runs the quality gate,
 * writes the file to the artifact store under its sha256, records the manifest and announces it on
 * `dataset.snapshotted`. One build at a time per schema (advisory lock); others wait their turn.
 */
@Injectable()
export class DatasetsService {
  private readonly logger = new Logger(DatasetsService.name);
  private readonly lockName: string;
  /** This replica's snapshots, one after the other: a waiting one holds no database connection. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly progress: IngestProgress,
    private readonly artifacts: ArtifactStore,
    @Inject(SERVICE_CONFIG) private readonly config: FeatureStoreConfig,
  ) {
    this.lockName = `snapshots:${schemaOf(dataSource)}`;
  }

  /**
   * `requestId`: the snapshot answers a `training.requested`, so it is announced with that id even
   * when the same bytes existed, and a rejection's alert carries it.
   */
  snapshot(trigger: DatasetTrigger, window: SnapshotWindow, requestId?: string): Promise<SnapshotOutcome> {
    // Replicas share the schema's snapshot lock; within one, snapshots queue without a connection.
    const next = this.queue.then(() =>
      withAdvisoryLock(this.dataSource, this.lockName, () => this.build(trigger, window, requestId)),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Rebuilds a dataset from its manifest's window and marks; the bytes must hash to its id again. */
  async rebuild(datasetId: string): Promise<{ datasetId: string; uri: string; identical: boolean }> {
    const manifest = await this.find(datasetId);
    if (!manifest) throw new DatasetNotFoundError(datasetId);
    const window = {
      start: Date.parse(manifest.window.start),
      end: Date.parse(manifest.window.end),
      validationFrom: Date.parse(manifest.validationFrom),
    };
    // Queued with the snapshots: two replays of millions of events at once would double the memory.
    const rebuilt = this.queue.then(async () => {
      const data = await new OfflineStore(this.dataSource.manager).load(
        manifest.sources.highWaterMarks,
        window.end,
      );
      return this.artifacts.write('datasets', 'jsonl', (sink) =>
        writeDataset(data, window, sink).then(() => undefined),
      );
    });
    this.queue = rebuilt.catch(() => undefined);
    const file = await rebuilt;
    return { datasetId, uri: file.uri, identical: file.sha256 === datasetId };
  }

  async find(datasetId: string): Promise<Manifest | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT manifest FROM ${quotedSchema(this.dataSource)}.datasets WHERE dataset_id = $1`,
      [datasetId],
    );
    return row?.manifest;
  }

  async list(limit: number): Promise<Manifest[]> {
    const rows: { manifest: Manifest }[] = await this.dataSource.query(
      `SELECT manifest FROM ${quotedSchema(this.dataSource)}.datasets ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.manifest);
  }

  private async build(
    trigger: DatasetTrigger,
    window: SnapshotWindow,
    requestId: string | undefined,
  ): Promise<SnapshotOutcome> {
    const started = Date.now();
    const s = quotedSchema(this.dataSource);
    const runId = randomUUID();
    await this.dataSource.query(
      `INSERT INTO ${s}.snapshot_runs (run_id, trigger, window_start, window_end, status) VALUES ($1, $2, $3, $4, 'running')`,
      [runId, trigger, new Date(window.start), new Date(window.end)],
    );
    try {
      const store = new OfflineStore(this.dataSource.manager);
      const [marks, { offsets, policy }] = await store.highWaterMarks(async (manager) => ({
        offsets: await this.progress.offsets(manager),
        policy: (
          await manager.query(`SELECT interactions_since, articles_since FROM ${s}.snapshot_policy`)
        )[0],
      }));
      // What the push policy counted so far is now covered, whatever the outcome.
      await this.dataSource.query(
        `UPDATE ${s}.snapshot_policy SET interactions_since = interactions_since - $1, articles_since = articles_since - $2`,
        [policy.interactions_since, policy.articles_since],
      );
      const data = await store.load(marks, window.end);
      const checks = qualityChecks(data, window, this.config);
      if (checks.some((c) => !c.passed)) {
        await this.reject(runId, trigger, window, checks, requestId);
        buildSeconds.observe({ outcome: 'rejected' }, (Date.now() - started) / 1000);
        return { outcome: 'rejected', checks };
      }
      let rows!: Awaited<ReturnType<typeof writeDataset>>;
      const file = await this.artifacts.write('datasets', 'jsonl', async (sink) => {
        rows = await writeDataset(data, window, sink);
      });
      const manifest = this.manifest(
        trigger,
        window,
        file,
        rows,
        offsets,
        marks,
        checks,
        Date.now() - started,
      );
      const outcome = await this.record(runId, manifest, requestId);
      buildSeconds.observe({ outcome }, (Date.now() - started) / 1000);
      this.logger.log(
        `snapshot ${manifest.datasetId.slice(0, 12)} ${outcome}: ${rows.train} train, ${rows.validation} validation examples in ${manifest.buildMs} ms`,
      );
      return {
        outcome,
        manifest: outcome === 'created' ? manifest : ((await this.find(manifest.datasetId)) ?? manifest),
      };
    } catch (error) {
      await this.dataSource.query(
        `UPDATE ${s}.snapshot_runs SET status = 'failed', error = $2, finished_at = now() WHERE run_id = $1`,
        [runId, (error as Error).message],
      );
      buildSeconds.observe({ outcome: 'failed' }, (Date.now() - started) / 1000);
      throw error;
    }
  }

  private manifest(
    trigger: DatasetTrigger,
    window: SnapshotWindow,
    file: { uri: string; sha256: string; bytes: number },
    rows: Manifest['rows'],
    kafkaOffsets: Record<string, Record<string, string>>,
    highWaterMarks: HighWaterMarks,
    checks: QualityCheckResult[],
    buildMs: number,
  ): Manifest {
    return {
      datasetId: file.sha256,
      format: datasetFormat,
      featureSchemaVersion: featureSchema.version,
      codeVersion: this.config.CODE_VERSION,
      createdAt: new Date().toISOString(),
      trigger,
      window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
      validationFrom: new Date(window.validationFrom).toISOString(),
      rows,
      file,
      sources: { kafkaOffsets, highWaterMarks },
      quality: { passed: true, checks },
      buildMs,
    };
  }

  /**
   * Stores a new dataset and announces it, once: the same bytes again are the same dataset. An
   * answer to a request is announced in any case, once per request.
   */
  private async record(
    runId: string,
    manifest: Manifest,
    requestId: string | undefined,
  ): Promise<'created' | 'existing'> {
    return this.dataSource.transaction(async (manager) => {
      const s = quotedSchema(manager.connection);
      const inserted: unknown[] = await manager.query(
        `INSERT INTO ${s}.datasets (dataset_id, uri, manifest) VALUES ($1, $2, $3)
         ON CONFLICT (dataset_id) DO NOTHING RETURNING dataset_id`,
        [manifest.datasetId, manifest.file.uri, manifest],
      );
      if (inserted.length > 0 || requestId) {
        const stored = inserted.length > 0 ? manifest : ((await this.find(manifest.datasetId)) ?? manifest);
        await this.outbox.enqueue(manager, topics.datasetSnapshotted, [
          {
            key: manifest.datasetId,
            value: newEvent(
              topics.datasetSnapshotted.name,
              {
                datasetId: manifest.datasetId,
                artifact: { uri: manifest.file.uri, sha256: manifest.file.sha256 },
                manifest: stored,
                ...(requestId ? { requestId } : {}),
              },
              'feature-store',
              {
                eventId: derivedEventId(
                  `dataset.snapshotted:${manifest.datasetId}${requestId ? `:${requestId}` : ''}`,
                ),
              },
            ),
          },
        ]);
      }
      await manager.query(
        `UPDATE ${s}.snapshot_runs SET status = 'succeeded', dataset_id = $2, quality = $3, finished_at = now() WHERE run_id = $1`,
        [runId, manifest.datasetId, JSON.stringify(manifest.quality.checks)],
      );
      if (requestId) await this.answered(manager, requestId, `dataset ${manifest.datasetId}`);
      return inserted.length > 0 ? 'created' : 'existing';
    });
  }

  /** A failed gate: no dataset, a `data-quality` alert with every check, and the run on record. */
  private async reject(
    runId: string,
    trigger: DatasetTrigger,
    window: SnapshotWindow,
    checks: QualityCheckResult[],
    requestId: string | undefined,
  ) {
    const failed = checks.filter((c) => !c.passed);
    this.logger.warn(
      `snapshot rejected by the quality gate: ${failed.map((c) => `${c.name}=${c.value}`).join(', ')}`,
    );
    await this.dataSource.transaction(async (manager) => {
      const s = quotedSchema(manager.connection);
      const alertId = randomUUID();
      const at = new Date().toISOString();
      await this.outbox.enqueue(manager, topics.monitoringAlert, [
        {
          key: 'data-quality',
          value: newEvent(
            topics.monitoringAlert.name,
            {
              alertId,
              type: 'data-quality' as const,
              severity: 'warning' as const,
              // Fired once per rejected snapshot; monitoring resolves it when a snapshot passes.
              state: 'firing' as const,
              subject: 'dataset snapshot',
              dedupKey: `dataset-gate:${runId}`,
              firstSeenAt: at,
              lastSeenAt: at,
              message: `dataset snapshot rejected: ${failed.map((c) => `${c.name} ${c.detail} (${c.value})`).join('; ')}`,
              details: {
                runId,
                trigger,
                ...(requestId ? { requestId } : {}),
                window: {
                  start: new Date(window.start).toISOString(),
                  end: new Date(window.end).toISOString(),
                },
                failed: failed.map((c) => c.name),
                checks,
              },
            },
            'feature-store',
            { eventId: alertId },
          ),
        },
      ]);
      await manager.query(
        `UPDATE ${s}.snapshot_runs SET status = 'rejected', quality = $2, finished_at = now() WHERE run_id = $1`,
        [runId, JSON.stringify(checks)],
      );
      if (requestId)
        await this.answered(manager, requestId, `rejected: ${failed.map((c) => c.name).join(', ')}`);
    });
  }

  /** A training request is answered in the transaction that announces its answer. */
  private async answered(manager: EntityManager, requestId: string, outcome: string): Promise<void> {
    await manager.query(
      `UPDATE ${quotedSchema(manager.connection)}.snapshot_requests SET answered_at = now(), outcome = $2 WHERE request_id = $1`,
      [requestId, outcome],
    );
  }
}

export class DatasetNotFoundError extends Error {
  constructor(readonly datasetId: string) {
    super(`no dataset "${datasetId}"`);
  }
}
