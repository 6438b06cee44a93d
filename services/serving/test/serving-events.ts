import { TopicPayload, featureGroups, newEvent, topics } from '@newsroom/contracts';
import { randomUUID } from 'node:crypto';

type Generated = TopicPayload<typeof topics.recommendationsGenerated>;
type ListItem = Generated['items'][number];

/** A listed item as batch scoring publishes it: ranked by the model, its facets for the caps. */
export const listItem = (
  articleId: string,
  score: number,
  facets: { publisher?: string; category?: string } = {},
  extra: Partial<ListItem> = {},
): ListItem => ({ articleId, score, origin: 'model', ...facets, ...extra });

/** Attributions over the six feature groups adding up to `score − baseline` (unequal shares). */
export function attributionsFor(score: number, baseline: number): Record<string, number> {
  const shares = [0.4, 0.25, 0.2, 0.1, 0.03, 0.02];
  return Object.fromEntries(featureGroups.map((group, i) => [group, (score - baseline) * shares[i]]));
}

export const listEvent = (list: Omit<Generated, 'generatedAt' | 'revision'> & Partial<Generated>) => ({
  key: list.userId,
  value: newEvent(
    topics.recommendationsGenerated.name,
    { generatedAt: new Date().toISOString(), revision: 1, ...list },
    'batch-scoring',
  ),
});

export const fallbackEvent = (items: ListItem[], scope = 'all') => ({
  key: scope,
  value: newEvent(
    topics.recommendationsFallback.name,
    { scope, generatedAt: new Date().toISOString(), items },
    'batch-scoring',
  ),
});

/** A moderation decision as ingestion publishes it; `takedownId: null` for one without (an unflag's). */
export const flagEvent = (
  articleId: string,
  { takedownId = randomUUID(), flagged = true }: { takedownId?: string | null; flagged?: boolean } = {},
) => ({
  key: articleId,
  value: newEvent(
    topics.articlesFlagged.name,
    {
      articleId,
      flagged,
      reason: 'test: misinformation',
      actor: 'moderator',
      ...(takedownId ? { takedownId } : {}),
    },
    'ingestion',
  ),
});
