import {
  TopicDefinition,
  TopicProducer,
  everyService,
  externalProducer,
  serviceNames,
} from '@newsroom/contracts';

/**
 * The README's topic table and topic flow diagram, generated from the catalog in
 * libs/contracts/src/topics.ts: each between its pair of marker comments, the rest of the README
 * left as it is.
 */
export interface GeneratedSection {
  name: string;
  begin: string;
  end: string;
  render: (topics: readonly TopicDefinition[]) => string;
}

const partyOrder: readonly TopicProducer[] = [externalProducer, everyService, ...serviceNames];
const inPipelineOrder = <T extends TopicProducer>(parties: readonly T[]): T[] =>
  [...parties].sort((a, b) => partyOrder.indexOf(a) - partyOrder.indexOf(b));

/** `Articles stored in the warehouse.` → `articles stored in the warehouse`, to follow an arrow. */
function asPhrase(description: string): string {
  const phrase = description.trim().replace(/\.$/, '');
  // An initialism (`API`) keeps its capitals.
  return /^[A-Z](?![A-Z])/.test(phrase) ? phrase[0].toLowerCase() + phrase.slice(1) : phrase;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function topicTable(topics: readonly TopicDefinition[]): string {
  const rows = topics.map((t) => {
    const flow = `${inPipelineOrder(t.producers).join(', ')} → ${inPipelineOrder(t.consumers).join(', ')}`;
    return (
      `| \`${t.name}\` | ${cell(t.keyDescription)} | ${t.compacted ? 'compacted' : 'retention'} ` +
      `| ${cell(`${flow} — ${asPhrase(t.description)}`)} |`
    );
  });
  return ['| topic | key | kept | producer → consumers |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

const nodeId = (prefix: string, name: string) => `${prefix}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;

/** A Mermaid flowchart: producer → topic → consumer, services as boxes and topics as rounded boxes. */
export function topicFlowDiagram(topics: readonly TopicDefinition[]): string {
  const parties = inPipelineOrder([...new Set(topics.flatMap((t) => [...t.producers, ...t.consumers]))]);
  const partyNode = (party: TopicProducer) =>
    party === externalProducer ? `${nodeId('p', party)}(["${party}"])` : `${nodeId('s', party)}["${party}"]`;
  const partyId = (party: TopicProducer) => nodeId(party === externalProducer ? 'p' : 's', party);
  const lines = [
    'flowchart LR',
    ...parties.map((p) => `  ${partyNode(p)}`),
    ...topics.map((t) => `  ${nodeId('t', t.name)}("${t.name}")`),
    ...topics.flatMap((t) => [
      ...inPipelineOrder(t.producers).map((p) => `  ${partyId(p)} --> ${nodeId('t', t.name)}`),
      ...inPipelineOrder(t.consumers).map((c) => `  ${nodeId('t', t.name)} --> ${partyId(c)}`),
    ]),
  ];
  return ['```mermaid', ...lines, '```'].join('\n');
}

export const readmeSections: readonly GeneratedSection[] = [
  { name: 'topic table', begin: '<!-- topics:begin -->', end: '<!-- topics:end -->', render: topicTable },
  {
    name: 'topic flow diagram',
    begin: '<!-- topic-flow:begin -->',
    end: '<!-- topic-flow:end -->',
    render: topicFlowDiagram,
  },
];

/** Replaces what lies between the markers (each on its own line, once in the text). */
export function replaceSection(text: string, section: GeneratedSection, content: string): string {
  const at = (marker: string) => {
    const lines = text.split('\n');
    const found = lines.flatMap((line, i) => (line.trim() === marker ? [i] : []));
    if (found.length !== 1)
      throw new Error(`the ${section.name} needs the line "${marker}" exactly once (found ${found.length})`);
    return found[0];
  };
  const begin = at(section.begin);
  const end = at(section.end);
  if (end < begin)
    throw new Error(`the ${section.name}'s "${section.end}" comes before its "${section.begin}"`);
  const lines = text.split('\n');
  return [...lines.slice(0, begin + 1), content, ...lines.slice(end)].join('\n');
}

/** The README with every generated section rendered afresh from the catalog. */
export function renderReadme(readme: string, topics: readonly TopicDefinition[]): string {
  return readmeSections.reduce(
    (text, section) => replaceSection(text, section, section.render(topics)),
    readme,
  );
}

/** The generated sections whose text differs from what the catalog gives. */
export function staleSections(readme: string, topics: readonly TopicDefinition[]): string[] {
  return readmeSections
    .filter((section) => {
      const fresh = replaceSection(readme, section, section.render(topics));
      return fresh !== readme;
    })
    .map((section) => section.name);
}
