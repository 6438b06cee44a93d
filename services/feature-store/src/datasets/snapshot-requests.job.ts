import { Injectable, Logger } from '@nestjs/common';
import { quotedSchema, updateReturning } from '@newsroom/persistence';
import { PeriodicJob } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { DatasetsService } from './datasets.service';

/** A claim older than this is taken to be a replica that died mid-build; the request is built again. */
const claimTimeoutMinutes = 15;

/**
 * Builds the snapshots training asked for, oldest request first, each once (claimed by one
 * replica; answered in the transaction that announces the dataset or the gate's alert).
 */
@Injectable()
export class SnapshotRequestsJob extends PeriodicJob {
  private readonly logger = new Logger(SnapshotRequestsJob.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly datasets: DatasetsService,
  ) {
    super('snapshot requests', 1_000);
  }

  protected runOnce(): Promise<boolean> {
    return this.next();
  }

  async next(): Promise<boolean> {
    const s = quotedSchema(this.dataSource);
    const [request] = await updateReturning<{
      request_id: string;
      trigger: string;
      window_start: Date;
      window_end: Date;
      validation_from: Date;
    }>(
      this.dataSource,
      `UPDATE ${s}.snapshot_requests SET claimed_at = now()
       WHERE request_id = (
         SELECT request_id FROM ${s}.snapshot_requests
         WHERE answered_at IS NULL AND (claimed_at IS NULL OR claimed_at < now() - make_interval(mins => $1))
         ORDER BY received_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING request_id, trigger, window_start, window_end, validation_from`,
      [claimTimeoutMinutes],
    );
    if (!request) return false;
    const window = {
      start: request.window_start.getTime(),
      end: request.window_end.getTime(),
      validationFrom: request.validation_from.getTime(),
    };
    const result = await this.datasets.snapshot('pull', window, request.request_id);
    this.logger.log(
      `snapshot for training request ${request.request_id} (${request.trigger}): ${result.outcome}`,
    );
    return true;
  }
}
