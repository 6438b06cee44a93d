import { topicExamples } from '@newsroom/contracts';

/** How producers differ: what some valid records carry (each kept, with a field warning). */
const variety = (i: number): Record<string, unknown> => {
  switch (i % 100) {
    case 7:
      return { region: 'latam' }; // a region the platform is not configured for: kept as reported
    case 8:
      return { region: 42 }; // an invalid optional attribute: dropped
    case 9:
      return { section: 'metro' }; // a field the contract does not have: ignored
    default:
      return {};
  }
};

/**
 * 10,000 records for interactions.raw: 9,400 distinct valid interactions (a few with an unknown
 * region, an invalid region or an unknown field: kept all the same), 500 repeats of earlier
 * eventIds (5%), and 100 malformed records (1%): bad JSON, a missing field, negative dwell, an
 * unknown type — 25 of each.
 */
export function interactionsStream() {
  const base = topicExamples.interactionsRaw.value;
  const valid = Array.from({ length: 9_400 }, (_, i) => ({
    ...base,
    eventId: `evt-${i}`,
    userId: `user-${i % 700}`,
    articleId: `art-${i % 90}`,
    dwellSeconds: (i % 120) + 1,
    occurredAt: new Date(Date.UTC(2026, 10, 24, 8, 0, 0) + i * 1000).toISOString(),
    ...variety(i),
  }));
  const malformed: { raw: string; reason: 'undecodable' | 'schema-invalid'; field: string }[] = [];
  for (let i = 0; i < 25; i++) {
    malformed.push({ raw: `{"eventId":"bad-json-${i}", "userId": `, reason: 'undecodable', field: '(root)' });
    const { userId: _dropped, ...missing } = { ...valid[i], eventId: `missing-${i}` };
    malformed.push({ raw: JSON.stringify(missing), reason: 'schema-invalid', field: 'userId' });
    malformed.push({
      raw: JSON.stringify({ ...valid[i], eventId: `negative-${i}`, dwellSeconds: -4 }),
      reason: 'schema-invalid',
      field: 'dwellSeconds',
    });
    malformed.push({
      raw: JSON.stringify({ ...valid[i], eventId: `unknown-type-${i}`, type: 'like' }),
      reason: 'schema-invalid',
      field: 'type',
    });
  }
  const repeats = Array.from({ length: 500 }, (_, i) => valid[(i * 17) % valid.length]);
  // Interleave deterministically: repeats and malformed records spread through the stream.
  const records: { key: string; value: string }[] = valid.map((v) => ({
    key: v.userId,
    value: JSON.stringify(v),
  }));
  repeats.forEach((r, i) => records.splice(200 + i * 18, 0, { key: r.userId, value: JSON.stringify(r) }));
  malformed.forEach((m, i) => records.splice(100 + i * 97, 0, { key: `user-${i}`, value: m.raw }));
  // Field warnings of the accepted records, repeats included (every received record is checked).
  const accepted: Record<string, unknown>[] = [...valid, ...repeats];
  const warnings = {
    unknownRegion: accepted.filter((v) => v['region'] === 'latam').length,
    invalidRegion: accepted.filter((v) => v['region'] === 42).length,
    unknownField: accepted.filter((v) => 'section' in v).length,
  };
  return { records, valid, malformed, warnings };
}
