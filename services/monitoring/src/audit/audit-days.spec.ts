import { DAY_MS, dayOf, firstKeptDay, partitionDay, partitionName } from './audit-days';

describe('audit days', () => {
  const noon = Date.parse('2026-12-04T12:00:00Z');

  it('partitions by UTC day, whatever the offset an instant was written with', () => {
    expect(dayOf(Date.parse('2026-12-04T23:59:59.999-00:00'))).toBe(Date.parse('2026-12-04T00:00:00Z'));
    expect(dayOf(Date.parse('2026-12-04T20:00:00-05:00'))).toBe(Date.parse('2026-12-05T00:00:00Z'));
  });

  it('keeps the day that was `retentionDays` ago and every day after it', () => {
    expect(new Date(firstKeptDay(noon, 90)).toISOString()).toBe('2026-09-05T00:00:00.000Z');
    expect(firstKeptDay(noon, 1)).toBe(dayOf(noon) - DAY_MS);
  });

  it('names partitions by their day and reads the day back', () => {
    const day = dayOf(noon);
    expect(partitionName('audit_exposures', day)).toBe('audit_exposures_p20261204');
    expect(partitionDay('audit_exposures', 'audit_exposures_p20261204')).toBe(day);
    expect(partitionDay('audit_responses', 'audit_exposures_p20261204')).toBeUndefined();
    expect(partitionDay('audit_exposures', 'audit_exposures_p20261340')).toBeUndefined();
    expect(partitionDay('audit_exposures', 'audit_exposures_default')).toBeUndefined();
  });
});
