import { Inject, Injectable } from '@nestjs/common';
import { FieldError } from '@newsroom/contracts';
import { counter } from '@newsroom/observability';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { IngestionConfig } from '../config';

export type RecordKind = 'article' | 'interaction';
export type Source = 'kafka' | 'http';

/** What storing a batch did: records newly stored, and records whose eventId was already there. */
export interface StoreResult {
  accepted: number;
  duplicates: number;
}

const events = counter('ingestion_events_total', 'Records received, by outcome', [
  'kind',
  'source',
  'outcome',
]);
const rejectedFields = counter(
  'ingestion_rejected_fields_total',
  'Validation errors of rejected records, by field',
  ['kind', 'reason', 'field'],
);
const late = counter('ingestion_late_events_total', 'Stored records older than INGESTION_LATE_AFTER_MS', [
  'kind',
]);
const future = counter('ingestion_future_events_total', 'Stored records dated in the future', ['kind']);

/** The data-quality counters of ingestion, on /metrics next to the consumer lag per topic. */
@Injectable()
export class IngestionMetrics {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: IngestionConfig) {}

  stored(kind: RecordKind, source: Source, accepted: number, duplicates: number): void {
    events.inc({ kind, source, outcome: 'accepted' }, accepted);
    events.inc({ kind, source, outcome: 'duplicate' }, duplicates);
  }

  rejected(kind: RecordKind, source: Source, reason: string, errors: FieldError[]): void {
    events.inc({ kind, source, outcome: 'rejected' });
    // Field names come from the contract, so the label set stays small.
    for (const field of new Set(errors.map((e) => e.field.replace(/^items\.\d+\./, '')))) {
      rejectedFields.inc({ kind, reason, field });
    }
  }

  /** Counts late and future-dated records among those stored. */
  timeliness(kind: RecordKind, times: string[], now = Date.now()): { late: number; future: number } {
    let lateCount = 0;
    let futureCount = 0;
    for (const time of times) {
      const at = Date.parse(time);
      if (at < now - this.config.INGESTION_LATE_AFTER_MS) lateCount++;
      else if (at > now + this.config.INGESTION_FUTURE_TOLERANCE_MS) futureCount++;
    }
    late.inc({ kind }, lateCount);
    future.inc({ kind }, futureCount);
    return { late: lateCount, future: futureCount };
  }
}
