import { Injectable } from '@nestjs/common';
import { derivedEventId, newEvent, topics } from '@newsroom/contracts';
import { InvalidMessage } from '@newsroom/messaging';
import { Inbox, Outbox } from '@newsroom/persistence';
import { EntityManager } from 'typeorm';
import { IngestionMetrics, RecordKind } from '../quality/ingestion-metrics';

/**
 * Invalid raw records from Kafka go to `ingestion.rejected` with their reason, field errors and
 * original payload, written to the outbox in the same transaction as the batch's valid records.
 */
@Injectable()
export class RejectionsService {
  constructor(
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    private readonly metrics: IngestionMetrics,
  ) {}

  async record(manager: EntityManager, kind: RecordKind, invalid: InvalidMessage[]): Promise<void> {
    // A redelivered record (after a crash before the offset commit) is rejected only once.
    const sourceId = (r: InvalidMessage) => `${r.topic}:${r.partition}:${r.offset}`;
    const fresh = await this.inbox.claim(manager, 'ingestion.rejected', invalid.map(sourceId));
    const records = invalid.filter((r) => fresh.has(sourceId(r)));
    await this.outbox.enqueue(
      manager,
      topics.ingestionRejected,
      records.map((record) => ({
        key: record.topic,
        value: newEvent(
          topics.ingestionRejected.name,
          {
            sourceTopic: record.topic,
            partition: record.partition,
            offset: record.offset,
            reason: record.reason,
            errors: record.errors,
            originalPayload: record.raw,
          },
          'ingestion',
          { eventId: derivedEventId(`ingestion.rejected:${sourceId(record)}`) },
        ),
      })),
    );
    for (const record of records) this.metrics.rejected(kind, 'kafka', record.reason, record.errors);
  }
}
