import { allTopics, topics } from '@newsroom/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeSections, renderReadme, replaceSection, topicFlowDiagram, topicTable } from './topic-docs';

const readme = readFileSync(join(__dirname, '../../..', 'README.md'), 'utf8');

/** What the README holds between a section's markers. */
function between(text: string, begin: string, end: string): string {
  const start = text.indexOf(`${begin}\n`);
  const stop = text.indexOf(`\n${end}`);
  if (start < 0 || stop < start) throw new Error(`README.md has no "${begin}" … "${end}"`);
  return text.slice(start + begin.length + 1, stop);
}

describe('README.md', () => {
  it.each(readmeSections.map((s) => [s.name, s] as const))(
    'has the %s the catalog gives (if not: npm run docs:topics)',
    (_name, section) => {
      expect(between(readme, section.begin, section.end)).toBe(section.render(allTopics));
    },
  );
});

describe('the topic table', () => {
  const rows = topicTable(allTopics).split('\n');

  it('keeps the columns, one row per topic in the catalog order', () => {
    expect(rows.slice(0, 2)).toEqual([
      '| topic | key | kept | producer → consumers |',
      '| --- | --- | --- | --- |',
    ]);
    expect(rows.slice(2).map((r) => r.split(' | ')[0])).toEqual(allTopics.map((t) => `| \`${t.name}\``));
  });

  it('says producers → consumers in pipeline order, then what the topic carries', () => {
    expect(topicTable([topics.modelPromoted]).split('\n')[2]).toBe(
      '| `model.promoted` | modelVersion | retention | registry → training, evaluation, batch-scoring, serving, monitoring' +
        ' — a new champion model (by evaluation, by hand, or by a rollback) |',
    );
    expect(topicTable([topics.recommendationsFallback]).split('\n')[2]).toMatch(
      /^\| `recommendations.fallback` \| `all` or a region \| compacted \| batch-scoring → serving — fresh popular/,
    );
    expect(topicTable([topics.articlesRaw]).split('\n')[2]).toMatch(
      /\| news producers → ingestion — articles as/,
    );
  });
});

describe('the topic flow diagram', () => {
  it('draws producer → topic → consumer for every pair in the catalog', () => {
    const diagram = topicFlowDiagram(allTopics);
    expect(diagram.split('\n').slice(0, 2)).toEqual(['```mermaid', 'flowchart LR']);
    expect(diagram).toContain('p_news_producers(["news producers"])');
    expect(diagram).toContain('s_feature_store["feature-store"]');
    expect(diagram).toContain('t_model_rolled_back("model.rolled-back")');
    const edges = diagram.split('\n').filter((l) => l.includes(' --> '));
    expect(edges).toContain('  s_registry --> t_model_rolled_back');
    expect(edges).toContain('  t_model_promoted --> s_monitoring');
    expect(edges).toHaveLength(allTopics.reduce((n, t) => n + t.producers.length + t.consumers.length, 0));
  });
});

describe('replacing a generated section', () => {
  const [table] = readmeSections;
  const text = [
    '# Title',
    'before',
    '<!-- topics:begin -->',
    'old',
    'rows',
    '<!-- topics:end -->',
    'after',
  ].join('\n');

  it('replaces only what lies between the markers, the same way every time', () => {
    const once = replaceSection(text, table, 'new');
    expect(once).toBe(
      ['# Title', 'before', '<!-- topics:begin -->', 'new', '<!-- topics:end -->', 'after'].join('\n'),
    );
    expect(replaceSection(once, table, 'new')).toBe(once);
  });

  it('fails, naming the marker, when a marker is missing, repeated or out of order', () => {
    expect(() => replaceSection('no markers', table, 'x')).toThrow(
      'the topic table needs the line "<!-- topics:begin -->" exactly once (found 0)',
    );
    expect(() => replaceSection(`${text}\n<!-- topics:end -->`, table, 'x')).toThrow('(found 2)');
    expect(() => replaceSection('<!-- topics:end -->\n<!-- topics:begin -->', table, 'x')).toThrow(
      'comes before',
    );
  });

  it('leaves an up-to-date README as it is', () => {
    const fresh = renderReadme(readme, allTopics);
    expect(renderReadme(fresh, allTopics)).toBe(fresh);
  });
});
