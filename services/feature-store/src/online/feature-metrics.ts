import { Injectable } from '@nestjs/common';
import { counter, gauge } from '@newsroom/observability';

const applied = counter(
  'features_events_applied_total',
  'Input events folded into features, by kind and outcome',
  ['kind', 'outcome'],
);
const published = counter('features_published_total', 'Feature messages published to the compacted topics', [
  'entity',
]);
const unpublished = gauge('features_unpublished', 'Changed entities not yet on the compacted topics', [
  'entity',
]);
const held = gauge(
  'features_publication_held',
  'Whether publication holds (1) while the store catches up with its inputs (FEATURES_PUBLISH_HOLD_LAG)',
);

/** Counters of the online feature path, on /metrics next to the consumer lag per topic. */
@Injectable()
export class FeatureMetrics {
  applied(kind: 'interaction' | 'article' | 'moderation', fresh: number, received: number): void {
    applied.inc({ kind, outcome: 'applied' }, fresh);
    applied.inc({ kind, outcome: 'duplicate' }, received - fresh);
  }

  published(entity: 'user' | 'article', count: number): void {
    published.inc({ entity }, count);
  }

  holding(yes: boolean): void {
    held.set(yes ? 1 : 0);
  }

  backlog(users: number, articles: number): void {
    unpublished.set({ entity: 'user' }, users);
    unpublished.set({ entity: 'article' }, articles);
  }
}
