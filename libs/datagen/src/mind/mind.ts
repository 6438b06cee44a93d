import { Article, Interaction } from '@newsroom/contracts';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { WorldEvent } from '../events';

/**
 * Importer for the Microsoft News Dataset (MIND) format.
 *
 * - `news.tsv` (no header): NewsID, Category, SubCategory, Title, Abstract, URL, TitleEntities,
 *   AbstractEntities → one Article each: articleId = NewsID, category, title, body = abstract,
 *   publisher "mind", tags = [SubCategory], publishedAt = the earliest time the article appears in
 *   behaviors.tsv (its impressions or a history), or `unseenPublishedAt` when it never does.
 * - `behaviors.tsv`: ImpressionID, UserID, Time (`11/11/2019 9:05:58 AM`, taken as UTC), History
 *   (space-separated NewsIDs), Impressions (space-separated `N123-1` / `N456-0`, or bare `N123`
 *   in the unlabelled test split) → an `impression` per item and a `click` for label 1.
 *
 * MIND has no dwell time, so by default there are no `read` events (the contract requires a dwell
 * for them); `readDwellSeconds` adds a read with that fixed dwell after every click. The reader's
 * history (clicks from before the logged period) is emitted once per user, as `click` events
 * spaced one second apart just before their first impression, with ids that do not depend on the
 * line (`mind-h-<UserID>-<NewsID>`), so re-importing changes nothing.
 *
 * Files are read line by line (behaviors.tsv twice: once for first-seen times, once for events);
 * memory grows only with the number of distinct news and users. Interactions keep the file's
 * order, which is not sorted by time in MIND. A malformed line is skipped and reported with its
 * line number through `onProblem` and the report; the import goes on.
 */
export interface MindOptions {
  newsPath: string;
  behaviorsPath: string;
  /** Emit each user's history as clicks (default true). */
  history?: boolean;
  /** When set, every click is followed by a `read` with this dwell (seconds). */
  readDwellSeconds?: number;
  /** publishedAt of articles never seen in behaviors.tsv (default 2019-11-09T00:00:00Z, MIND's first day). */
  unseenPublishedAt?: string;
  onProblem?: (problem: MindProblem) => void;
}

export interface MindProblem {
  file: string;
  line: number;
  message: string;
}

export interface MindReport {
  newsLines: number;
  behaviorLines: number;
  articles: number;
  impressionLines: number;
  /** Lines skipped as malformed. */
  problemCount: number;
  /** The first 1,000 problems. */
  problems: MindProblem[];
}

const publisher = 'mind';
// Ids are short in MIND; the bound keeps derived eventIds (`mind-h-<UserID>-<NewsID>`) within the contract's 200.
const maxIdLength = 90;

export interface MindImport {
  events: AsyncGenerator<WorldEvent>;
  /** Filled in while `events` is consumed. */
  report: MindReport;
}

export function importMind(options: MindOptions): MindImport {
  const report: MindReport = {
    newsLines: 0,
    behaviorLines: 0,
    articles: 0,
    impressionLines: 0,
    problemCount: 0,
    problems: [],
  };
  const problem = (file: string, line: number, message: string) => {
    const p = { file, line, message };
    report.problemCount++;
    if (report.problems.length < 1_000) report.problems.push(p);
    options.onProblem?.(p);
  };
  return { events: mindEvents(options, report, problem), report };
}

async function* mindEvents(
  options: MindOptions,
  report: MindReport,
  problem: (file: string, line: number, message: string) => void,
): AsyncGenerator<WorldEvent> {
  const unseen = options.unseenPublishedAt ?? '2019-11-09T00:00:00.000Z';
  const withHistory = options.history ?? true;
  const readDwell = options.readDwellSeconds;
  if (readDwell !== undefined && !(readDwell >= 0 && readDwell <= 86_400)) {
    throw new RangeError(`readDwellSeconds: expected 0 to 86400, got ${readDwell}`);
  }

  // Pass 1: when each news item is first seen.
  const firstSeen = new Map<string, number>();
  for await (const { fields } of lines(options.behaviorsPath)) {
    const parsed = parseBehavior(fields);
    if (typeof parsed === 'string') continue;
    const seen = (id: string) => {
      const t = firstSeen.get(id);
      if (t === undefined || parsed.time < t) firstSeen.set(id, parsed.time);
    };
    parsed.history.forEach(seen);
    parsed.items.forEach((item) => seen(item.newsId));
  }

  // Pass 2: articles.
  for await (const { line, fields } of lines(options.newsPath)) {
    report.newsLines++;
    const article = parseNews(fields, firstSeen, unseen);
    if (typeof article === 'string') {
      problem(options.newsPath, line, article);
      continue;
    }
    report.articles++;
    yield { kind: 'article', day: 0, key: article.articleId, value: article };
  }

  // Pass 3: interactions.
  const usersWithHistory = new Set<string>();
  for await (const { line, fields } of lines(options.behaviorsPath)) {
    report.behaviorLines++;
    const b = parseBehavior(fields);
    if (typeof b === 'string') {
      problem(options.behaviorsPath, line, b);
      continue;
    }
    report.impressionLines++;
    const sessionId = `mind-${b.impressionId}`;
    const event = (
      eventId: string,
      articleId: string,
      type: Interaction['type'],
      at: number,
      dwellSeconds?: number,
    ): WorldEvent => {
      const occurredAt = new Date(at).toISOString();
      const value: Interaction = { eventId, userId: b.userId, articleId, type, occurredAt };
      if (dwellSeconds !== undefined) value.dwellSeconds = dwellSeconds;
      // History clicks belong to no logged impression, so to no session.
      if (!eventId.startsWith('mind-h-')) value.sessionId = sessionId;
      return { kind: 'interaction', day: 0, key: b.userId, value };
    };
    if (withHistory && !usersWithHistory.has(b.userId)) {
      usersWithHistory.add(b.userId);
      const n = b.history.length;
      for (let i = 0; i < n; i++) {
        yield event(`mind-h-${b.userId}-${b.history[i]}`, b.history[i], 'click', b.time - (n - i) * 1000);
      }
    }
    for (let i = 0; i < b.items.length; i++) {
      yield event(`mind-${b.impressionId}-${i}`, b.items[i].newsId, 'impression', b.time);
    }
    let clock = b.time;
    for (let i = 0; i < b.items.length; i++) {
      if (b.items[i].clicked !== true) continue;
      clock += 1000;
      yield event(`mind-${b.impressionId}-${i}-c`, b.items[i].newsId, 'click', clock);
      if (readDwell !== undefined) {
        clock += Math.round(readDwell * 1000);
        yield event(`mind-${b.impressionId}-${i}-r`, b.items[i].newsId, 'read', clock, readDwell);
      }
    }
  }
}

async function* lines(path: string): AsyncGenerator<{ line: number; fields: string[] }> {
  const reader = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let line = 0;
  for await (const text of reader) {
    line++;
    if (text.trim() === '') continue;
    yield { line, fields: text.split('\t') };
  }
}

function validId(id: string): boolean {
  return id.length > 0 && id.length <= maxIdLength && id.trim() === id;
}

/** The Article of a news.tsv line, or what is wrong with it. */
function parseNews(fields: string[], firstSeen: Map<string, number>, unseen: string): Article | string {
  if (fields.length < 6)
    return `expected at least 6 tab-separated fields (NewsID … URL), got ${fields.length}`;
  const [newsId, category, subCategory, title, abstract, url] = fields.map((f) => f.trim());
  if (!validId(newsId)) return `NewsID: expected 1 to ${maxIdLength} characters`;
  if (!category || category.length > 100) return 'Category: expected 1 to 100 characters';
  if (!title || title.length > 1_000) return 'Title: expected 1 to 1000 characters';
  const seen = firstSeen.get(newsId);
  const article: Article = {
    eventId: `mind-news-${newsId}`,
    articleId: newsId,
    title,
    category,
    publisher,
    url: isHttpUrl(url) ? url : `https://mind.invalid/news/${encodeURIComponent(newsId)}`,
    publishedAt: seen === undefined ? unseen : new Date(seen).toISOString(),
    language: 'en',
  };
  if (abstract) article.body = abstract.slice(0, 200_000);
  if (subCategory && subCategory.length <= 100) article.tags = [subCategory];
  return article;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

interface Behavior {
  impressionId: string;
  userId: string;
  time: number;
  history: string[];
  items: { newsId: string; clicked?: boolean }[];
}

const timePattern = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([AP]M)$/;

/** Milliseconds of a MIND time (`11/11/2019 9:05:58 AM`, month first, read as UTC), or NaN. */
export function parseMindTime(text: string): number {
  const m = timePattern.exec(text.trim());
  if (!m) return NaN;
  const [month, day, year, hour12, minute, second] = m.slice(1, 7).map(Number);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour12 < 1 ||
    hour12 > 12 ||
    minute > 59 ||
    second > 59
  )
    return NaN;
  const hour = (hour12 % 12) + (m[7] === 'PM' ? 12 : 0);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  return new Date(ms).getUTCDate() === day ? ms : NaN;
}

/** The parsed behaviors.tsv line, or what is wrong with it. */
function parseBehavior(fields: string[]): Behavior | string {
  if (fields.length !== 5)
    return `expected 5 tab-separated fields (ImpressionID, UserID, Time, History, Impressions), got ${fields.length}`;
  const [impressionId, userId, timeText, historyText, impressionsText] = fields.map((f) => f.trim());
  if (!validId(impressionId) || /\s/.test(impressionId)) return 'ImpressionID: expected a non-empty id';
  if (!validId(userId)) return `UserID: expected 1 to ${maxIdLength} characters`;
  const time = parseMindTime(timeText);
  if (Number.isNaN(time)) return `Time: expected M/D/YYYY h:mm:ss AM|PM, got "${timeText}"`;
  const history = historyText ? historyText.split(/\s+/) : [];
  const bad = history.find((id) => !validId(id));
  if (bad !== undefined) return `History: bad NewsID "${bad}"`;
  if (!impressionsText) return 'Impressions: expected at least one item';
  const items: Behavior['items'] = [];
  for (const token of impressionsText.split(/\s+/)) {
    const dash = token.lastIndexOf('-');
    const label = dash > 0 ? token.slice(dash + 1) : '';
    if (dash > 0 && (label === '0' || label === '1')) {
      items.push({ newsId: token.slice(0, dash), clicked: label === '1' });
    } else if (dash < 0 && validId(token)) {
      items.push({ newsId: token });
    } else {
      return `Impressions: expected NewsID-0 or NewsID-1, got "${token}"`;
    }
    if (!validId(items[items.length - 1].newsId)) return `Impressions: bad NewsID in "${token}"`;
  }
  return { impressionId, userId, time, history, items };
}
