import { Article, Interaction } from '@newsroom/contracts';

export const corruptionKinds = ['bad-json', 'missing-field', 'negative-dwell', 'unknown-type'] as const;
export type CorruptionKind = (typeof corruptionKinds)[number];

/**
 * What a generator (the synthetic world, the MIND importer) yields, in publication order:
 * contract-valid articles and interactions, and deliberately corrupted interaction records as raw
 * strings. `day` is the 0-based day of the world (the session's day for interactions).
 */
export type WorldEvent =
  | { kind: 'article'; day: number; key: string; value: Article }
  | { kind: 'interaction'; day: number; key: string; value: Interaction }
  | { kind: 'corrupt'; day: number; key: string; raw: string; corruption: CorruptionKind };

/**
 * The events a producer without impression logs sends: articles and reads only (no impressions,
 * no clicks) — many newsrooms know what was read, and for how long, but not what was shown.
 */
export function* readsOnly(events: Iterable<WorldEvent>): Generator<WorldEvent> {
  for (const event of events) {
    if (event.kind !== 'interaction' || event.value.type === 'read') yield event;
  }
}
