import { featureGroupLabels } from './feature-group-labels';
import { ModelCard, OnlineQuality, ServedQuality, SliceMetrics } from './model-card';

const none = '—';
const num = (value: number | null | undefined) =>
  value === null || value === undefined ? none : Number.isInteger(value) ? String(value) : value.toFixed(4);
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
/** A table cell: pipes would end it, line breaks the row. */
const cell = (value: unknown) =>
  (typeof value === 'string' ? value : (JSON.stringify(value) ?? none))
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
const table = (header: string[], rows: unknown[][]) =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');

/** The card as a Markdown document (`Accept: text/markdown` or `?format=markdown`): the same facts as its JSON. */
export function renderModelCardMarkdown(card: ModelCard): string {
  return (
    [
      `# Model card: ${card.modelVersion}`,
      `Stage **${card.stage}**${card.stageReason ? ` (${card.stageReason})` : ''}; registered ${card.registeredAt}; ` +
        `card generated ${card.generatedAt}.`,
      promotions(card),
      lineage(card),
      trainingData(card),
      parameters(card),
      evaluation(card),
      onlineQuality(card.onlineQuality),
      featureImportance(card),
      limitations(card),
    ].join('\n\n') + '\n'
  );
}

function promotions({ promotions }: ModelCard): string {
  const rows = promotions.map((p) => [p.at, p.kind, p.previousVersion ?? none, p.reason]);
  return [
    '## Promotions',
    rows.length === 0 ? 'Never the champion.' : table(['at', 'kind', 'replaced', 'reason'], rows),
  ].join('\n\n');
}

function lineage({ lineage }: ModelCard): string {
  return [
    '## Lineage',
    table(
      ['', ''],
      [
        ['dataset', `\`${lineage.datasetId}\``],
        ['training run', lineage.runId],
        ['warm start from', lineage.parentVersion ?? 'none (trained from scratch)'],
        ['training code version', lineage.trainingCodeVersion],
        ['dataset code version', lineage.datasetCodeVersion ?? 'unknown'],
        ['feature schema version', lineage.featureSchemaVersion ?? 'unknown'],
        ['artifact', `${lineage.artifact.uri} (sha256 \`${lineage.artifact.sha256}\`)`],
      ],
    ),
  ].join('\n\n');
}

function trainingData({ trainingData: data }: ModelCard): string {
  if (!data) return "## Training data\n\nUnknown: the registry never received this dataset's manifest.";
  return [
    '## Training data',
    table(
      ['', ''],
      [
        ['window', `${data.window.start} to ${data.window.end}`],
        ['validation from', data.validationFrom],
        ['training rows', data.rows.train],
        ['validation rows', data.rows.validation],
        ['readers', data.rows.readers],
        ['articles', data.rows.articles],
        ['snapshot', `${data.trigger}, ${data.createdAt}`],
        [
          'quality checks',
          `${data.qualityChecks.passed} passed${data.qualityChecks.failed.length > 0 ? `; failed: ${data.qualityChecks.failed.join(', ')}` : ''}`,
        ],
      ],
    ),
  ].join('\n\n');
}

function parameters({ parameters, trainingMetrics }: ModelCard): string {
  const metrics = Object.entries(trainingMetrics);
  return [
    '## Parameters',
    table(['parameter', 'value'], Object.entries(parameters)),
    '### Training metrics (last epoch, validation split)',
    metrics.length === 0
      ? 'None recorded.'
      : table(
          ['metric', 'value'],
          metrics.map(([k, v]) => [k, num(v)]),
        ),
  ].join('\n\n');
}

const metricsTable = (metrics: SliceMetrics['metrics'], champion: string) =>
  table(
    ['metric', 'candidate', champion, 'popularity', 'category × popularity', 'recency'],
    metrics.map((m) => [
      m.metric,
      num(m.candidate),
      num(m.champion),
      num(m.popularity),
      num(m.categoryPopularity),
      num(m.recency),
    ]),
  );

function evaluation({ evaluation }: ModelCard): string {
  if (!evaluation) return '## Evaluation\n\nNot evaluated yet.';
  const champion = evaluation.judgedAgainst ? `champion ${evaluation.judgedAgainst}` : 'champion (none)';
  const slices = evaluation.slices.map((slice) =>
    [
      `### Slice ${slice.slice}${slice.readers === null ? '' : ` (${slice.readers} readers)`}`,
      metricsTable(slice.metrics, champion),
    ].join('\n\n'),
  );
  return [
    '## Evaluation (held-out day)',
    `Gate: **${evaluation.passed ? 'passed' : 'failed'}**, judged against ${evaluation.judgedAgainst ?? 'the baselines alone (no champion)'}.`,
    evaluation.reasons.map((reason) => `- ${reason}`).join('\n'),
    `### All readers${evaluation.overall.readers === null ? '' : ` (${evaluation.overall.readers} readers)`}`,
    evaluation.overall.metrics.length === 0
      ? 'No metrics published.'
      : metricsTable(evaluation.overall.metrics, champion),
    ...(slices.length === 0 ? ['No per-slice metrics published.'] : slices),
  ].join('\n\n');
}

const served = (label: string, q: ServedQuality | null) =>
  q
    ? [label, q.lists, num(q.hitRateAt10), num(q.mrr), num(q.dwellSecondsPerList), num(q.coverage)]
    : [label, none, none, none, none, none];

function onlineQuality(quality: OnlineQuality): string {
  const heading = '## Online quality since promotion';
  if (quality.status === 'unavailable') return `${heading}\n\nUnavailable: ${quality.reason}.`;
  if (quality.status === 'not-measured') return `${heading}\n\nNot measured: ${quality.reason}.`;
  return [
    heading,
    `Lists served ${quality.window.from} to ${quality.window.to}, each followed for ${quality.horizonHours} h (from monitoring).`,
    table(
      ['lists of', 'lists', 'hit rate@10', 'MRR', 'dwell s per list', 'coverage'],
      [served('this model', quality.personalized), served('the fallback', quality.fallback)],
    ),
    table(
      ['', ''],
      [
        ['lift over the fallback', num(quality.liftOverFallback)],
        ['online hit rate over offline recall@10', num(quality.onlineOverOfflineRecall)],
        [
          'first measured window',
          quality.firstWindow
            ? `${quality.firstWindow.window.from} to ${quality.firstWindow.window.to}: hit rate@10 ${num(quality.firstWindow.hitRateAt10)}, ${quality.firstWindow.lists} lists`
            : none,
        ],
        ['hit rate change since', quality.hitRateChange === null ? none : percent(quality.hitRateChange)],
      ],
    ),
  ].join('\n\n');
}

function featureImportance({ featureImportance: importance }: ModelCard): string {
  const heading = '## Global importance of feature groups';
  if (!importance) return `${heading}\n\nNot measured by evaluation for this version.`;
  return [
    heading,
    `Mean |Shapley value| over ${importance.sample} held-out (reader, listed article) pairs, measured from the ` +
      `baseline score ${num(importance.baselineScore)}.`,
    table(
      ['group', 'what it is', 'mean abs attribution', 'share'],
      importance.groups.map((g) => [
        g.group,
        featureGroupLabels[g.group],
        num(g.meanAbsAttribution),
        percent(g.share),
      ]),
    ),
  ].join('\n\n');
}

function limitations({ limitations }: ModelCard): string {
  return ['## Known limitations', limitations.map((l) => `- ${l.text}`).join('\n')].join('\n\n');
}
