import { Article, Interaction } from '@newsroom/contracts';
import { join } from 'node:path';
import { WorldEvent } from '../events';
import { publishEvents } from '../publish';
import { MindOptions, MindProblem, importMind, parseMindTime } from './mind';

const fixtures = join(__dirname, 'fixtures');
const paths = { newsPath: join(fixtures, 'news.tsv'), behaviorsPath: join(fixtures, 'behaviors.tsv') };

async function load(options: Partial<MindOptions> = {}) {
  const problems: MindProblem[] = [];
  const { events, report } = importMind({ ...paths, onProblem: (p) => problems.push(p), ...options });
  const all: WorldEvent[] = [];
  for await (const e of events) all.push(e);
  return { events: all, report, problems };
}

const interactions = (events: WorldEvent[]) =>
  events.flatMap((e) => (e.kind === 'interaction' ? [e.value] : []));

describe('MIND importer', () => {
  it('maps news.tsv to contract-valid articles, first seen in behaviors.tsv, reporting the malformed line', async () => {
    const { events, report, problems } = await load();
    const articles = events.flatMap((e) => (e.kind === 'article' ? [Article.parse(e.value)] : []));
    expect(articles.map((a) => a.articleId)).toEqual(['N1001', 'N1002', 'N1003', 'N1005', 'N1006', 'N1007']);
    expect(articles[0]).toMatchObject({
      eventId: 'mind-news-N1001',
      category: 'sports',
      publisher: 'mind',
      tags: ['football_nfl'],
      url: 'https://assets.msn.com/labs/mind/AAGH0ET.html',
      // Seen first in the history of line 6, 11/10/2019 11:59:59 PM.
      publishedAt: '2019-11-10T23:59:59.000Z',
    });
    expect(articles[1].body).toBeUndefined(); // empty abstract
    expect(articles[2].url).toBe('https://mind.invalid/news/N1003'); // empty URL
    expect(articles[5].publishedAt).toBe('2019-11-09T00:00:00.000Z'); // never seen
    expect(report).toMatchObject({
      newsLines: 7,
      articles: 6,
      behaviorLines: 6,
      impressionLines: 4,
      problemCount: 3,
    });
    expect(problems.map((p) => [p.file.endsWith('news.tsv') ? 'news' : 'behaviors', p.line])).toEqual([
      ['news', 4],
      ['behaviors', 4],
      ['behaviors', 5],
    ]);
    expect(problems[1].message).toMatch(/^Time: /);
    expect(problems[2].message).toMatch(/N1003-2/);
  });

  it('maps behaviors to impressions and clicks, history once per user just before, all valid and idempotent', async () => {
    const { events } = await load();
    const values = interactions(events);
    for (const v of values) Interaction.parse(v);
    expect(new Set(values.map((v) => v.eventId)).size).toBe(values.length);
    expect(values.filter((v) => v.type === 'impression')).toHaveLength(3 + 2 + 3 + 2);
    expect(values.filter((v) => v.type === 'read')).toHaveLength(0);
    const line1 = values.filter((v) => v.sessionId === 'mind-1');
    expect(line1.map((v) => [v.eventId, v.type, v.articleId, v.occurredAt])).toEqual([
      ['mind-1-0', 'impression', 'N1002', '2019-11-11T09:05:58.000Z'],
      ['mind-1-1', 'impression', 'N1005', '2019-11-11T09:05:58.000Z'],
      ['mind-1-2', 'impression', 'N1006', '2019-11-11T09:05:58.000Z'],
      ['mind-1-1-c', 'click', 'N1005', '2019-11-11T09:05:59.000Z'],
    ]);
    // U100's history (line 1) comes once, before the first impression, not again for line 3.
    const history = values.filter((v) => v.eventId.startsWith('mind-h-'));
    expect(history.map((v) => [v.eventId, v.occurredAt])).toEqual([
      ['mind-h-U100-N1001', '2019-11-11T09:05:56.000Z'],
      ['mind-h-U100-N1003', '2019-11-11T09:05:57.000Z'],
      ['mind-h-U400-N1005', '2019-11-10T23:59:58.000Z'],
    ]);
    // The empty history of line 2 is fine; 12:01 AM is just after midnight.
    expect(values.filter((v) => v.sessionId === 'mind-2')).toHaveLength(3);
    expect(values.find((v) => v.eventId === 'mind-3-0')!.occurredAt).toBe('2019-11-12T00:01:00.000Z');
    // Articles come before every interaction.
    expect(events.findIndex((e) => e.kind === 'interaction')).toBe(6);
  });

  it('optionally adds reads with a fixed dwell after clicks, and leaves history out', async () => {
    const { events } = await load({ readDwellSeconds: 30, history: false });
    const values = interactions(events);
    const read = values.find((v) => v.eventId === 'mind-1-1-r')!;
    expect(read).toMatchObject({ type: 'read', dwellSeconds: 30, occurredAt: '2019-11-11T09:06:29.000Z' });
    expect(values.filter((v) => v.type === 'read')).toHaveLength(
      values.filter((v) => v.type === 'click').length,
    );
    expect(values.some((v) => v.eventId.startsWith('mind-h-'))).toBe(false);
  });

  it('goes through the same publisher function', async () => {
    const { events, report } = importMind(paths);
    const summary = await publishEvents(null, events);
    expect(summary).toMatchObject({
      articles: report.articles,
      corrupted: 0,
      interactions: { impression: 10, click: 5 + 3, read: 0 },
    });
  });

  it('parses MIND times as UTC, month first, 12-hour clock', () => {
    expect(new Date(parseMindTime('11/11/2019 9:05:58 AM')).toISOString()).toBe('2019-11-11T09:05:58.000Z');
    expect(new Date(parseMindTime('11/13/2019 12:30:00 PM')).toISOString()).toBe('2019-11-13T12:30:00.000Z');
    expect(parseMindTime('2/30/2019 1:00:00 AM')).toBeNaN();
    expect(parseMindTime('13/45/2019 9:00:00 XM')).toBeNaN();
  });
});
