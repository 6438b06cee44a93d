import { IngestionConfig } from '../config';
import { IngestionMetrics } from './ingestion-metrics';

describe('IngestionMetrics.timeliness', () => {
  const metrics = new IngestionMetrics({
    INGESTION_LATE_AFTER_MS: 3_600_000,
    INGESTION_FUTURE_TOLERANCE_MS: 60_000,
  } as IngestionConfig);
  const now = Date.parse('2026-11-24T12:00:00Z');

  it('counts records older than the late window and records dated beyond the tolerance', () => {
    const times = [
      '2026-11-24T10:59:59Z',
      '2026-11-24T11:30:00Z',
      '2026-11-24T12:00:30Z',
      '2026-11-24T12:05:00Z',
    ];
    expect(metrics.timeliness('interaction', times, now)).toEqual({ late: 1, future: 1 });
  });
});
