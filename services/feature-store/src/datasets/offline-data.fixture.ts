import { OfflineData } from './offline-store';

export interface FixtureRead {
  user: string;
  article: string;
  at: number;
  dwell?: number;
  kind?: 0 | 1 | 2;
  region?: string | null;
  eventId?: string;
}

/** Offline data as OfflineStore.load would return it, for unit tests of the gate and the writer. */
export function offlineData(
  articles: { id: string; category: string; publishedAt?: number }[],
  events: FixtureRead[],
): OfflineData {
  const userIds = [...new Set(events.map((e) => e.user))];
  const articleIds = [...new Set([...articles.map((a) => a.id), ...events.map((e) => e.article)])];
  const n = events.length;
  const categories = [...new Set(articles.map((a) => a.category))];
  const regions = [
    ...new Set(events.map((e) => (e.region === null ? undefined : (e.region ?? 'africa')))),
  ].filter((r): r is string => r !== undefined);
  const categoryOf = (e: FixtureRead) => {
    const article = articles.find((a) => a.id === e.article);
    return (e.kind ?? 2) === 2 && article ? categories.indexOf(article.category) : -1;
  };
  const data: OfflineData = {
    userIds,
    articleIds,
    articleVersions: articleIds.map((id) => {
      const a = articles.find((x) => x.id === id);
      if (!a) return [];
      const publishedAt = a.publishedAt ?? 0;
      return [
        {
          validFrom: publishedAt,
          revision: 1,
          category: a.category,
          publisher: 'p',
          language: null,
          tokenHashes: [1, 2],
          publishedAt,
          flagged: false,
        },
      ];
    }),
    count: n,
    user: Int32Array.from(events.map((e) => userIds.indexOf(e.user))),
    article: Int32Array.from(events.map((e) => articleIds.indexOf(e.article))),
    kind: Uint8Array.from(events.map((e) => e.kind ?? 2)),
    dwell: Float64Array.from(events.map((e) => e.dwell ?? 30)),
    time: Float64Array.from(events.map((e) => e.at)),
    category: Int16Array.from(events.map(categoryOf)),
    categories,
    seq: Float64Array.from(events.map((_, i) => i + 1)),
    region: Int16Array.from(
      events.map((e) => (e.region === null ? -1 : regions.indexOf(e.region ?? 'africa'))),
    ),
    regions,
    eventId: events.map((e, i) =>
      (e.kind ?? 2) === 2 ? (e.eventId ?? `e${String(i).padStart(6, '0')}`) : undefined,
    ),
  };
  return data;
}
