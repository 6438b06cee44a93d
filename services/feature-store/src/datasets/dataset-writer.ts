import { ArtifactSink } from '@newsroom/artifacts';
import { DatasetLine, datasetFormat, featureSchema } from '@newsroom/contracts';
import { SlidingPopularity } from '../feature-definitions/popularity-windows';
import { categoryMix, roundFeature } from '../feature-definitions/reader-profile';
import { ArticleVersion, OfflineData } from './offline-store';
import { SnapshotWindow } from './snapshot-window';

export interface DatasetRows {
  train: number;
  validation: number;
  readers: number;
  articles: number;
}

const READ = 2;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The interactions in replay order: by time, then kind, then event id (reads), then position in the
 * log: a total order, so the same rows always replay the same way.
 */
function replayOrder(data: OfflineData): number[] {
  const order = Array.from({ length: data.count }, (_, i) => i);
  const { time, kind, eventId, seq } = data;
  // The log is close to time order already, which the runs-based sort exploits.
  order.sort((x, y) => {
    if (time[x] !== time[y]) return time[x] - time[y];
    if (kind[x] !== kind[y]) return kind[x] - kind[y];
    const ex = eventId[x] ?? '';
    const ey = eventId[y] ?? '';
    if (ex !== ey) return ex < ey ? -1 : 1;
    return seq[x] - seq[y];
  });
  return order;
}

/**
 * Writes a dataset: one JSON object per line, in a fixed order with fixed key order, so the same
 * offline data and window always give the same bytes.
 *
 * - `header`: format, feature schema, window and split.
 * - `example`: one per read in the window of an article with features, with the reader's and the
 *   article's features as of that instant, computed by replaying the log in time order — the
 *   replay only ever knows the past, so nothing after an event leaks into its example.
 *   `user.history` is how many of the reader's `reads` (in the reader line) came before it.
 * - `reader`: a reader's reads as [articleId, dwellSeconds, epoch ms], from the last
 *   `featureSchema.recentReads` before the window to the end, and the articles shown to them in
 *   the validation split (impressions of known articles) as [articleId, epoch ms].
 * - `article`: content features as of the window's end, for every article read or published in it.
 */
export async function writeDataset(
  data: OfflineData,
  window: SnapshotWindow,
  sink: ArtifactSink,
): Promise<DatasetRows> {
  let buffer: string[] = [];
  // Lines are typed by the contract in libs/contracts that training reads them with.
  const emit = async (line: DatasetLine) => {
    buffer.push(JSON.stringify(line));
    if (buffer.length >= 2_000) {
      const chunk = buffer.join('\n') + '\n';
      buffer = [];
      await sink.write(chunk);
    }
  };

  const users = data.userIds.length;
  const impressions = new Int32Array(users);
  const clicks = new Int32Array(users);
  const reads = new Int32Array(users);
  const dwell = new Float64Array(users);
  const lastSeen = new Float64Array(users).fill(NaN);
  const region = new Int16Array(users).fill(-1);
  const categoryDwell: Record<string, number>[] = [];
  const timeline: number[][] = [];
  const contextStart = new Int32Array(users).fill(-1);
  const shownInValidation: number[][] = [];
  const popularity: SlidingPopularity[] = [];
  const versionAt = new Int32Array(data.articleIds.length);
  const inOutput = new Uint8Array(data.articleIds.length);
  const rows: DatasetRows = { train: 0, validation: 0, readers: 0, articles: 0 };

  await emit({
    kind: 'header',
    format: datasetFormat,
    featureSchemaVersion: featureSchema.version,
    window: { start: iso(window.start), end: iso(window.end) },
    validationFrom: iso(window.validationFrom),
    recentReads: featureSchema.recentReads,
    tokenBuckets: featureSchema.tokenBuckets,
    popularityBucketMs: featureSchema.popularityBucketMs,
  });

  /** The article's version valid at `t` (its first one for reads dated before its publication). */
  const articleAt = (a: number, t: number): ArticleVersion | undefined => {
    const versions = data.articleVersions[a];
    while (versionAt[a] + 1 < versions.length && versions[versionAt[a] + 1].validFrom <= t) versionAt[a] += 1;
    return versions[versionAt[a]];
  };

  const emitExample = async (i: number) => {
    const u = data.user[i];
    const a = data.article[i];
    const t = data.time[i];
    const version = articleAt(a, t);
    if (!version || t < window.start || t >= window.end) return;
    const history = (timeline[u] ??= []);
    if (contextStart[u] < 0) contextStart[u] = Math.max(0, history.length - featureSchema.recentReads);
    const split = t >= window.validationFrom ? 'validation' : 'train';
    rows[split] += 1;
    inOutput[a] = 1;
    const { reads: popularReads, dwellSeconds: popularDwell } = (popularity[a] ??=
      new SlidingPopularity()).at(t);
    await emit({
      kind: 'example',
      split,
      eventId: data.eventId[i] ?? '',
      userId: data.userIds[u],
      articleId: data.articleIds[a],
      occurredAt: iso(t),
      dwellSeconds: data.dwell[i],
      user: {
        history: history.length - contextStart[u],
        region: region[u] < 0 ? null : data.regions[region[u]],
        impressions: impressions[u],
        clicks: clicks[u],
        reads: reads[u],
        totalDwellSeconds: roundFeature(dwell[u]),
        categoryMix: categoryMix(categoryDwell[u] ?? {}),
        lastSeenAt: Number.isNaN(lastSeen[u]) ? null : iso(lastSeen[u]),
      },
      article: {
        ageHours: roundFeature((t - version.publishedAt) / HOUR),
        reads: popularReads,
        dwellSeconds: {
          '1h': roundFeature(popularDwell['1h']),
          '24h': roundFeature(popularDwell['24h']),
          '7d': roundFeature(popularDwell['7d']),
        },
        flagged: version.flagged,
      },
    });
  };

  const apply = (i: number) => {
    const u = data.user[i];
    const t = data.time[i];
    if (data.kind[i] === READ) {
      reads[u] += 1;
      dwell[u] += data.dwell[i];
      // Weighed under the category the online features used for this read (none if unknown then).
      if (data.category[i] >= 0) {
        const category = data.categories[data.category[i]];
        const mix = (categoryDwell[u] ??= {});
        mix[category] = (mix[category] ?? 0) + data.dwell[i];
      }
      (timeline[u] ??= []).push(i);
      (popularity[data.article[i]] ??= new SlidingPopularity()).add(t, data.dwell[i]);
    } else if (data.kind[i] === 1) {
      clicks[u] += 1;
    } else {
      impressions[u] += 1;
      if (t >= window.validationFrom && t < window.end && data.articleVersions[data.article[i]].length > 0)
        (shownInValidation[u] ??= []).push(i);
    }
    if (!(t < lastSeen[u])) lastSeen[u] = t;
    if (data.region[i] >= 0) region[u] = data.region[i];
  };

  // Events of one instant are applied only after every example of that instant is written:
  // nothing at or after an example's time is in its features.
  const order = replayOrder(data);
  for (let from = 0; from < order.length; ) {
    let to = from;
    while (to < order.length && data.time[order[to]] === data.time[order[from]]) to += 1;
    for (let k = from; k < to; k++) if (data.kind[order[k]] === READ) await emitExample(order[k]);
    for (let k = from; k < to; k++) apply(order[k]);
    from = to;
  }

  const readers = [...contextStart.keys()].filter((u) => contextStart[u] >= 0);
  readers.sort((x, y) => (data.userIds[x] < data.userIds[y] ? -1 : 1));
  for (const u of readers) {
    const context = timeline[u].slice(contextStart[u]);
    // The first time each article was shown: what evaluation ranks, without the repeats.
    const shownArticles = new Set<number>();
    const shown = (shownInValidation[u] ?? []).filter(
      (i) => !shownArticles.has(data.article[i]) && shownArticles.add(data.article[i]),
    );
    for (const i of [...context, ...shown]) inOutput[data.article[i]] = 1;
    rows.readers += 1;
    await emit({
      kind: 'reader',
      userId: data.userIds[u],
      reads: context.map((i) => [data.articleIds[data.article[i]], data.dwell[i], data.time[i]]),
      shown: shown.map((i) => [data.articleIds[data.article[i]], data.time[i]]),
    });
  }

  const articles = [...data.articleIds.keys()].filter((a) => {
    const versions = data.articleVersions[a];
    if (versions.length === 0) return false;
    const published = versions[0].publishedAt;
    return inOutput[a] === 1 || (published >= window.start && published < window.end);
  });
  articles.sort((x, y) => (data.articleIds[x] < data.articleIds[y] ? -1 : 1));
  for (const a of articles) {
    const versions = data.articleVersions[a];
    const atEnd = [...versions].reverse().find((v) => v.validFrom < window.end) ?? versions[0];
    rows.articles += 1;
    await emit({
      kind: 'article',
      articleId: data.articleIds[a],
      revision: atEnd.revision,
      category: atEnd.category,
      publisher: atEnd.publisher,
      language: atEnd.language,
      tokenHashes: atEnd.tokenHashes,
      publishedAt: iso(atEnd.publishedAt),
      flagged: atEnd.flagged,
    });
  }
  if (buffer.length > 0) await sink.write(buffer.join('\n') + '\n');
  return rows;
}
