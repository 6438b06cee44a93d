import { Region, regions } from './regions';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { behaviour, expectedDwellFor, topicMatch } from './behaviour';
import { WorldConfig } from './config';
import { World, languages } from './world';

export interface TruthHeader {
  kind: 'world';
  version: 1;
  config: WorldConfig;
  topics: string[];
  behaviour: typeof behaviour;
  publishers: { id: string; region: Region; language: string }[];
  readers: number;
  articles: number;
}

export interface ReaderTruth {
  kind: 'reader';
  readerId: string;
  region: Region;
  language: string;
  utcOffset: number;
  /** Mean-1 multiplier of the reader's sessions per day. */
  activity: number;
  /** Mean-1 multiplier of the reader's dwell. */
  depth: number;
  /** Interest per topic (in `topics` order), summing to 1. */
  interests: number[];
  /** Interests from `config.interestDriftFromDay` on, when the world drifts. */
  driftedInterests?: number[];
}

export interface ArticleTruth {
  kind: 'article';
  articleId: string;
  /** Day of publication (-1: the warm-up before day 0). */
  day: number;
  category: string;
  secondaryCategory: string;
  publisher: string;
  publisherRegion: Region;
  publishedAt: string;
  quality: number;
  bodyTokens: number;
}

export type TruthRecord = TruthHeader | ReaderTruth | ArticleTruth;

const round = (x: number) => Number(x.toPrecision(6));

/** The world's ground truth as serializable records: a header, then every reader, then every article. */
export function* exportTruth(world: World): Generator<TruthRecord> {
  const K = world.topics.length;
  yield {
    kind: 'world',
    version: 1,
    config: world.config,
    topics: [...world.topics],
    behaviour,
    publishers: world.publishers.map((p) => ({ id: p.id, region: p.region, language: p.language })),
    readers: world.readerCount,
    articles: world.articleCount,
  };
  for (let u = 0; u < world.readerCount; u++) {
    const record: ReaderTruth = {
      kind: 'reader',
      readerId: world.readerId(u),
      region: regions[world.readerRegion[u]],
      language: languages[world.readerLanguage[u]],
      utcOffset: world.readerUtcOffset[u],
      activity: round(world.readerActivity[u]),
      depth: round(world.readerDepth[u]),
      interests: Array.from(world.interests.subarray(u * K, (u + 1) * K), round),
    };
    if (world.driftedInterests) {
      record.driftedInterests = Array.from(world.driftedInterests.subarray(u * K, (u + 1) * K), round);
    }
    yield record;
  }
  for (let i = 0; i < world.articleCount; i++) {
    yield {
      kind: 'article',
      articleId: world.articleId(i),
      day: world.blockOf(i).day,
      category: world.topics[world.articleTopic[i]],
      secondaryCategory: world.topics[world.articleTopic2[i]],
      publisher: world.publishers[world.articlePublisher[i]].id,
      publisherRegion: regions[world.publisherRegion[world.articlePublisher[i]]],
      publishedAt: new Date(world.publishedAt[i]).toISOString(),
      quality: round(world.articleQuality[i]),
      bodyTokens: world.articleTokens[i],
    };
  }
}

/** Writes `exportTruth` as JSON lines; resolves with the number of readers and articles written. */
export async function writeTruthJsonl(
  world: World,
  path: string,
): Promise<{ readers: number; articles: number }> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([error]) => Promise.reject(error));
  failed.catch(() => undefined);
  let chunk = '';
  for (const record of exportTruth(world)) {
    chunk += JSON.stringify(record) + '\n';
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
      chunk = '';
    }
  }
  out.end(chunk);
  await Promise.race([once(out, 'finish'), failed]);
  return { readers: world.readerCount, articles: world.articleCount };
}

/**
 * Ground truth read back from a truth file, for tools that do not rebuild the world: the same
 * `expectedDwell` and `oracleRanking` as `World` (up to the file's 6-digit rounding).
 */
export class GroundTruth {
  readonly readers = new Map<string, ReaderTruth>();
  readonly articles = new Map<string, ArticleTruth>();

  constructor(readonly header: TruthHeader) {}

  add(record: ReaderTruth | ArticleTruth): void {
    if (record.kind === 'reader') this.readers.set(record.readerId, record);
    else this.articles.set(record.articleId, record);
  }

  expectedDwell(readerId: string, articleId: string, day = this.header.config.days - 1): number {
    const reader = this.readers.get(readerId);
    if (!reader) throw new RangeError(`unknown reader ${readerId}`);
    const article = this.articles.get(articleId);
    if (!article) throw new RangeError(`unknown article ${articleId}`);
    const from = this.header.config.interestDriftFromDay;
    const interests =
      reader.driftedInterests && from !== null && day >= from ? reader.driftedInterests : reader.interests;
    const topics = this.header.topics;
    const match = topicMatch(
      interests,
      0,
      topics.indexOf(article.category),
      topics.indexOf(article.secondaryCategory),
    );
    return expectedDwellFor(
      match,
      article.quality,
      article.bodyTokens,
      reader.depth,
      reader.region === article.publisherRegion,
    );
  }

  oracleRanking(readerId: string, candidateArticleIds: readonly string[], day?: number): string[] {
    return candidateArticleIds
      .map((id) => ({ id, score: this.expectedDwell(readerId, id, day) }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((x) => x.id);
  }
}

/** Reads a truth file written by `writeTruthJsonl`. */
export async function readTruthJsonl(path: string): Promise<GroundTruth> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let truth: GroundTruth | undefined;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (!line.trim()) continue;
    const record = JSON.parse(line) as TruthRecord;
    if (record.kind === 'world') truth = new GroundTruth(record);
    else if (!truth) throw new Error(`${path}:${lineNumber}: truth file must start with its "world" header`);
    else truth.add(record);
  }
  if (!truth) throw new Error(`${path}: empty truth file`);
  return truth;
}
