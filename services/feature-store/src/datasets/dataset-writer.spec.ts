import { DatasetLine } from '@newsroom/contracts';
import { createHash } from 'node:crypto';
import { writeDataset } from './dataset-writer';
import { FixtureRead, offlineData } from './offline-data.fixture';

const HOUR = 3_600_000;
const start = Date.parse('2026-11-10T00:00:00Z');
const window = { start, end: start + 24 * HOUR, validationFrom: start + 18 * HOUR };
const articles = [
  { id: 'sport', category: 'sports', publishedAt: start - HOUR },
  { id: 'politics', category: 'politics', publishedAt: start },
  { id: 'fresh', category: 'politics', publishedAt: start + 20 * HOUR },
];

async function write(events: FixtureRead[]) {
  let text = '';
  const rows = await writeDataset(offlineData(articles, events), window, {
    write: (chunk) => void (text += chunk),
  });
  return {
    rows,
    text,
    lines: text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l)),
  };
}

describe('writeDataset', () => {
  const events: FixtureRead[] = [
    { user: 'r', article: 'sport', at: start - 2 * HOUR, dwell: 10 }, // before the window: context only
    { user: 'r', article: 'sport', at: start + HOUR, dwell: 30 },
    { user: 'r', article: 'politics', at: start + 2 * HOUR, kind: 0 }, // an impression
    { user: 'r', article: 'politics', at: start + 19 * HOUR, dwell: 60 },
    { user: 'q', article: 'politics', at: start + 3 * HOUR, dwell: 5 },
    { user: 'r', article: 'fresh', at: start + 21 * HOUR, kind: 0 }, // shown in the validation split
  ];

  it("writes examples with the features as of each read, the readers' histories and the articles", async () => {
    const { rows, lines } = await write(events);
    expect(rows).toEqual({ train: 2, validation: 1, readers: 2, articles: 3 });
    // Every line is what the contract training reads with says it is.
    for (const line of lines) expect(DatasetLine.safeParse(line).error).toBeUndefined();
    expect(lines.map((l) => l.kind)).toEqual([
      'header',
      'example',
      'example',
      'example',
      'reader',
      'reader',
      'article',
      'article',
      'article',
    ]);
    const [, first, second, last] = lines;
    expect(first).toMatchObject({
      split: 'train',
      userId: 'r',
      articleId: 'sport',
      user: {
        history: 1,
        reads: 1,
        impressions: 0,
        categoryMix: { sports: 1 },
        lastSeenAt: new Date(start - 2 * HOUR).toISOString(),
      },
      article: { ageHours: 2, reads: { '1h': 0, '24h': 1, '7d': 1 }, flagged: false },
    });
    expect(second).toMatchObject({
      userId: 'q',
      user: { history: 0, reads: 0, categoryMix: {}, lastSeenAt: null },
    });
    expect(last).toMatchObject({
      split: 'validation',
      user: { history: 2, reads: 2, impressions: 1, categoryMix: { sports: 1 } },
      article: { reads: { '1h': 0, '24h': 1, '7d': 1 } },
    });
    expect(lines[4]).toEqual({
      kind: 'reader',
      userId: 'q',
      reads: [['politics', 5, start + 3 * HOUR]],
      shown: [],
    });
    expect(lines[5].reads.map((r: unknown[]) => r[0])).toEqual(['sport', 'sport', 'politics']);
    // Only validation impressions are listed: the one in training time is not.
    expect(lines[5].shown).toEqual([['fresh', start + 21 * HOUR]]);
    // A fresh article published in the window is a candidate even if nobody read it.
    expect(lines.slice(6).map((l) => l.articleId)).toEqual(['fresh', 'politics', 'sport']);
  });

  it('gives the same bytes whatever order the log holds the rows in', async () => {
    // The fixture names events by position: pin their ids before reordering.
    const named = events.map((e, i) => ({ ...e, eventId: `event-${i}` }));
    const a = await write(named);
    const b = await write([...named].reverse());
    expect(createHash('sha256').update(b.text).digest('hex')).toBe(
      createHash('sha256').update(a.text).digest('hex'),
    );
    const c = await write([...events, { user: 'q', article: 'sport', at: start + 4 * HOUR, dwell: 1 }]);
    expect(c.text).not.toBe(a.text);
  });

  it("keeps everything at an example's own instant out of its features", async () => {
    const at = start + 5 * HOUR;
    const { lines } = await write([
      { user: 'r', article: 'sport', at, kind: 0, region: 'africa' },
      { user: 'r', article: 'politics', at, dwell: 20, region: 'africa' },
      { user: 'r', article: 'sport', at, dwell: 10, region: 'africa' },
      { user: 'q', article: 'politics', at, dwell: 5, region: 'africa' },
    ]);
    const examples = lines.filter((l) => l.kind === 'example');
    expect(examples).toHaveLength(3);
    for (const example of examples) {
      expect(example.user).toMatchObject({
        impressions: 0,
        reads: 0,
        history: 0,
        categoryMix: {},
        lastSeenAt: null,
        region: null,
      });
      expect(example.article.reads).toEqual({ '1h': 0, '24h': 0, '7d': 0 });
    }
  });

  it('leaves reads of unknown articles out of the examples but keeps them in the history', async () => {
    const { rows, lines } = await write([
      ...events,
      { user: 'q', article: 'ghost', at: start + 5 * HOUR, dwell: 9 },
    ]);
    expect(rows.train).toBe(2);
    expect(lines.find((l) => l.kind === 'reader' && l.userId === 'q').reads).toHaveLength(2);
  });
});
