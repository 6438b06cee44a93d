import { Injectable, NotFoundException } from '@nestjs/common';
import { TopicPayload, newEvent, topics } from '@newsroom/contracts';
import { Outbox, quotedSchema } from '@newsroom/persistence';
import { DataSource } from 'typeorm';
import { VitalsService } from '../vitals/vitals.service';
import { ReaderDataConfirmation, ReaderDataReceipt, readerDataReceipt } from './reader-data-receipt';

type Confirmed = TopicPayload<typeof topics.readerDataConfirmed>;

interface ConfirmationRow {
  holder: ReaderDataConfirmation['holder'];
  instance: string;
  records: number;
  part_uri: string | null;
  part_sha256: string | null;
  confirmed_at: Date;
}

export interface ReaderDataRequest {
  requestId: string;
  userId: string;
  action: 'export' | 'erasure';
  requestedAt: string;
  actor: string;
}

/**
 * A reader's export and erasure requests: recorded with the serving replicas live at the time and
 * published on `readers.data-requested` in one transaction; each holder's confirmation is kept
 * (the first, should one come twice) and the receipt is assembled from them.
 */
@Injectable()
export class ReaderDataRequestsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly vitals: VitalsService,
  ) {}

  private get s(): string {
    return quotedSchema(this.dataSource);
  }

  async request(userId: string, action: 'export' | 'erasure', actor: string): Promise<ReaderDataReceipt> {
    const request: ReaderDataRequest = {
      requestId: crypto.randomUUID(),
      userId,
      action,
      requestedAt: new Date().toISOString(),
      actor,
    };
    const expectedInstances = await this.vitals.liveInstances('serving');
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO ${this.s}.reader_data_requests (request_id, user_id, action, requested_at, actor, expected_instances)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [request.requestId, userId, action, request.requestedAt, actor, expectedInstances],
      );
      await this.outbox.enqueue(manager, topics.readerDataRequested, [
        {
          key: userId,
          value: newEvent(
            topics.readerDataRequested.name,
            { requestId: request.requestId, userId, action, requestedAt: request.requestedAt },
            'monitoring',
          ),
        },
      ]);
    });
    return readerDataReceipt({ ...request, expectedInstances }, []);
  }

  async confirmed(confirmations: readonly Confirmed[]): Promise<void> {
    if (confirmations.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO ${this.s}.reader_data_confirmations
         (request_id, holder, instance, records, part_uri, part_sha256, confirmed_at)
       SELECT "requestId", holder, instance, records, part->>'uri', part->>'sha256', "confirmedAt"
       FROM json_to_recordset($1::json)
         AS x("requestId" uuid, holder text, instance text, records integer, part jsonb, "confirmedAt" timestamptz)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(confirmations)],
    );
  }

  async receipt(requestId: string): Promise<ReaderDataReceipt> {
    const { request, confirmations } = await this.load(requestId);
    return readerDataReceipt(request, confirmations);
  }

  /** The request and its confirmations, with each export part's claim check. */
  async load(requestId: string): Promise<{
    request: ReaderDataRequest & { expectedInstances: string[] };
    confirmations: ReaderDataConfirmation[];
  }> {
    const [row] = await this.dataSource.query(
      `SELECT * FROM ${this.s}.reader_data_requests WHERE request_id::text = $1`,
      [requestId],
    );
    if (!row) throw new NotFoundException(`no reader-data request "${requestId}"`);
    const rows = await this.dataSource.query(
      `SELECT * FROM ${this.s}.reader_data_confirmations WHERE request_id = $1 ORDER BY confirmed_at`,
      [row.request_id],
    );
    return {
      request: {
        requestId: row.request_id,
        userId: row.user_id,
        action: row.action,
        requestedAt: row.requested_at.toISOString(),
        actor: row.actor,
        expectedInstances: row.expected_instances,
      },
      confirmations: rows.map((c: ConfirmationRow) => ({
        holder: c.holder,
        instance: c.instance,
        records: c.records,
        part: c.part_uri && c.part_sha256 ? { uri: c.part_uri, sha256: c.part_sha256 } : null,
        confirmedAt: c.confirmed_at.toISOString(),
      })),
    };
  }
}
