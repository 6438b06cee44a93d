import { buildModelCard } from './model-card-builder';
import { renderModelCardMarkdown } from './model-card-markdown';
import { championVersion, datasetManifest, measuredQuality } from './model-card.fixture';
import { OnlineQuality } from './model-card';

const generatedAt = new Date('2026-12-05T08:00:00.000Z');
const markdownOf = (onlineQuality: OnlineQuality = measuredQuality(), version = championVersion()) =>
  renderModelCardMarkdown(
    buildModelCard({ version, dataset: datasetManifest(), onlineQuality, minSliceReaders: 50, generatedAt }),
  );
/** The lines of one `## ` section, its heading excluded. */
const section = (markdown: string, heading: string) => {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((line) => line !== '');
};

describe('renderModelCardMarkdown', () => {
  const markdown = markdownOf();

  it('has a title and every section, in order', () => {
    expect(markdown.split('\n')[0]).toBe('# Model card: v2');
    expect(markdown.split('\n').filter((line) => line.startsWith('## '))).toEqual([
      '## Promotions',
      '## Lineage',
      '## Training data',
      '## Parameters',
      '## Evaluation (held-out day)',
      '## Online quality since promotion',
      '## Global importance of feature groups',
      '## Known limitations',
    ]);
    expect(markdown.endsWith('\n')).toBe(true);
  });

  it('tabulates lineage, training data and parameters', () => {
    expect(section(markdown, 'Lineage')).toEqual(
      expect.arrayContaining([
        `| dataset | \`${'d'.repeat(64)}\` |`,
        '| warm start from | v1 |',
        '| training code version | abc123 |',
        '| dataset code version | fs-789 |',
      ]),
    );
    expect(section(markdown, 'Training data')).toEqual(
      expect.arrayContaining([
        '| window | 2026-11-27T05:00:00.000Z to 2026-12-04T05:00:00.000Z |',
        '| training rows | 90000 |',
        '| quality checks | 1 passed; failed: late-share |',
      ]),
    );
    expect(section(markdown, 'Parameters')).toEqual(
      expect.arrayContaining(['| epochs | 4 |', '| backend | wasm |', '| loss | 0.4100 |']),
    );
  });

  it('gives the gate decision, its reasons and each metric beside the champion and the baselines, per slice', () => {
    const evaluation = section(markdown, 'Evaluation (held-out day)');
    expect(evaluation).toEqual(
      expect.arrayContaining([
        'Gate: **passed**, judged against v1.',
        '- pass: NDCG@10 0.3100 vs champion 0.3000 (needs >= 0.2950)',
        '| metric | candidate | champion v1 | popularity | category × popularity | recency |',
        '| ndcgAt10 | 0.3100 | 0.3000 | 0.2000 | 0.2600 | — |',
        '### Slice new-readers (120 readers)',
        '| ndcgAt10 | 0.1800 | — | 0.2100 | — | — |',
        '### Slice region:africa (12 readers)',
      ]),
    );
  });

  it('shows online quality against the fallback, feature importance and the limitations as a list', () => {
    expect(section(markdown, 'Online quality since promotion')).toEqual(
      expect.arrayContaining([
        '| this model | 900 | 0.4000 | 0.2000 | 95 | 0.3000 |',
        '| the fallback | 300 | 0.3000 | 0.1500 | 60 | 0.0500 |',
        '| lift over the fallback | 1.3333 |',
      ]),
    );
    expect(section(markdown, 'Global importance of feature groups')).toEqual(
      expect.arrayContaining([
        "| article.words | the article's words (title first, then body) | 0.3000 | 42.9% |",
        "| article.publisher | the article's publisher | 0.0050 | 0.7% |",
      ]),
    );
    const limitations = section(markdown, 'Known limitations');
    expect(limitations.length).toBeGreaterThanOrEqual(5);
    expect(limitations.every((line) => line.startsWith('- '))).toBe(true);
  });

  it('says "unavailable" with the reason when monitoring did not answer', () => {
    const unavailable = markdownOf({
      status: 'unavailable',
      reason: 'monitoring did not answer within 2000 ms',
    });
    expect(section(unavailable, 'Online quality since promotion')).toEqual([
      'Unavailable: monitoring did not answer within 2000 ms.',
    ]);
  });

  it('keeps a table whole when a value holds a pipe or a line break', () => {
    const version = championVersion();
    const odd = markdownOf(undefined, {
      ...version,
      lineage: { ...version.lineage, params: { note: 'a|b\nc', layers: [1, 2] } },
    });
    expect(section(odd, 'Parameters')).toEqual(
      expect.arrayContaining(['| note | a\\|b c |', '| layers | [1,2] |']),
    );
  });

  it('says what is missing: no evaluation yet, no importance', () => {
    const candidate = markdownOf(
      { status: 'not-measured', reason: 'it has never been the champion' },
      championVersion({ stage: 'candidate', evaluation: null, promotions: [] }),
    );
    expect(section(candidate, 'Promotions')).toEqual(['Never the champion.']);
    expect(section(candidate, 'Evaluation')).toEqual(['Not evaluated yet.']);
    expect(section(candidate, 'Global importance of feature groups')).toEqual([
      'Not measured by evaluation for this version.',
    ]);
    expect(section(candidate, 'Online quality since promotion')).toEqual([
      'Not measured: it has never been the champion.',
    ]);
  });
});
