import { StoredAlert } from '../alerts/alert';
import { Champion } from '../lineage/lineage.service';
import { DriftReport } from '../drift/drift-report';
import { PipelineState } from '../pipeline/pipeline-state';
import { ModelQualityReport } from '../quality/model-quality';
import { ServiceHealth } from '../vitals/service-health';

/** Everything the status page shows, gathered at one moment. */
export interface StatusData {
  generatedAt: Date;
  refreshSeconds: number;
  services: ServiceHealth[];
  pipeline: PipelineState | null;
  champion: Champion | null;
  quality: ModelQualityReport | null;
  drift: DriftReport | null;
  alerts: StoredAlert[];
  /** Parts that could not be read, and why. */
  unavailable: string[];
}

/** The stages events flow through, from the producers' records to a reader's list. */
export const flow = [
  { service: 'ingestion', does: 'validates and stores what producers send' },
  { service: 'feature-store', does: 'folds events into features, snapshots datasets' },
  { service: 'training', does: 'trains the two-tower model' },
  { service: 'evaluation', does: 'judges it against the champion and baselines' },
  { service: 'registry', does: 'promotes the champion' },
  { service: 'batch-scoring', does: "scores every reader's top articles" },
  { service: 'serving', does: 'answers readers over HTTP' },
  { service: 'monitoring', does: 'watches data, model and pipelines' },
] as const;

const escape = (text: unknown): string =>
  String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
const percent = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`;
const fixed = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined ? '—' : v.toFixed(digits);
function age(from: Date | string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - new Date(from).getTime()) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

type State = 'ok' | 'warn' | 'down' | 'unknown';

/** A stage's state: down without a live instance, warn below its objective, stalled, or with a critical alert. */
function stageState(service: string, data: StatusData): { state: State; lag: number; notes: string[] } {
  const health = data.services.find((s) => s.service === service);
  const groups = (data.pipeline?.consumers ?? []).filter((c) => c.service === service);
  const lag = groups.reduce((sum, g) => sum + g.lag, 0);
  const notes: string[] = [];
  if (!health) return { state: 'unknown', lag, notes: ['no report yet'] };
  if (health.down || health.liveInstances === 0) return { state: 'down', lag, notes: ['no live instance'] };
  let state: State = 'ok';
  notes.push(`${health.liveInstances} instance${health.liveInstances === 1 ? '' : 's'}`);
  if (health.availability !== null && health.availability < health.sloTarget) {
    state = 'warn';
    notes.push(`availability ${percent(health.availability)} < ${percent(health.sloTarget, 0)}`);
  }
  const stalled = groups.filter((g) => g.stalledSeconds > 0);
  if (stalled.length > 0) {
    state = 'warn';
    notes.push(`stalled on ${stalled.map((g) => g.topic).join(', ')}`);
  }
  if (data.alerts.some((a) => a.state === 'firing' && a.severity === 'critical' && a.subject === service))
    state = 'warn';
  return { state, lag, notes };
}

function flowSection(data: StatusData): string {
  const stages = flow.map(({ service, does }) => {
    const { state, lag, notes } = stageState(service, data);
    return `<li class="stage ${state}"><strong>${escape(service)}</strong><span class="state">${state}</span>
      <small>${escape(does)}</small><small>lag ${lag.toLocaleString('en-US')} · ${escape(notes.join(' · '))}</small></li>`;
  });
  return `<section><h2>The flow</h2><ol class="flow"><li class="stage producers"><strong>producers</strong>
    <small>articles and reading events over HTTP and Kafka</small></li>${stages.join('')}</ol></section>`;
}

function championSection(data: StatusData): string {
  const champion = data.champion;
  if (!champion)
    return `<section><h2>The champion</h2><p>No champion yet: readers get the fallback lists.</p></section>`;
  const version = data.quality?.versions.find((v) => v.modelVersion === champion.modelVersion);
  const offline = Object.entries(champion.offlineMetrics ?? {})
    .map(([metric, value]) => `<tr><td>${escape(metric)}</td><td>${fixed(value)}</td></tr>`)
    .join('');
  const online = [version?.personalized, version?.fallback]
    .filter((q) => q)
    .map(
      (q) =>
        `<tr><td>${escape(q?.source)}</td><td>${percent(q?.hitRateAt10)}</td><td>${fixed(q?.mrr)}</td>` +
        `<td>${q?.dwellSecondsPerList.toFixed(1)} s</td><td>${q?.lists.toLocaleString('en-US')}</td></tr>`,
    )
    .join('');
  return `<section><h2>The champion</h2>
    <p><strong>${escape(champion.modelVersion)}</strong>, champion for ${age(champion.since, data.generatedAt)}
    (dataset ${escape(champion.datasetId ?? '—')}).</p>
    <div class="columns"><table><caption>Offline (evaluation)</caption><tr><th>metric</th><th>value</th></tr>
    ${offline || '<tr><td colspan="2">not evaluated</td></tr>'}</table>
    <table><caption>Online (served lists and later reads)</caption>
    <tr><th>source</th><th>hit rate@10</th><th>MRR</th><th>dwell/list</th><th>lists</th></tr>
    ${online || '<tr><td colspan="5">no lists judged yet</td></tr>'}</table></div></section>`;
}

function alertsSection(data: StatusData): string {
  const firing = data.alerts.filter((a) => a.state === 'firing');
  const rows = firing
    .map(
      (a) =>
        `<tr class="${escape(a.severity)}"><td>${escape(a.severity)}</td><td>${escape(a.type)}</td>` +
        `<td>${escape(a.subject)}</td><td>${escape(a.message)}</td><td>${age(a.firstSeenAt, data.generatedAt)}</td>` +
        `<td>${escape(a.source)}</td></tr>`,
    )
    .join('');
  return `<section><h2>Open alerts (${firing.length})</h2>${
    rows
      ? `<table><tr><th>severity</th><th>type</th><th>subject</th><th>message</th><th>for</th><th>from</th></tr>${rows}</table>`
      : '<p>None firing.</p>'
  }</section>`;
}

function driftSection(data: StatusData): string {
  const report = data.drift;
  if (!report)
    return '<section><h2>Data drift</h2><p>No report yet: it needs a champion and a day of data.</p></section>';
  const rows = report.features
    .map(
      (f) =>
        `<tr class="${f.verdict}"><td>${escape(f.name)}</td><td>${escape(f.method)}</td><td>${fixed(f.value)}</td>` +
        `<td>${fixed(f.threshold, 2)}</td><td>${escape(f.verdict)}</td></tr>`,
    )
    .join('');
  return `<section><h2>Data drift: ${report.drifted ? 'drifted' : 'stable'} (${percent(report.driftedShare, 0)} of features)</h2>
    <p>The champion's training window ${escape(report.reference.from)} – ${escape(report.reference.to)} against
    ${escape(report.current.from)} – ${escape(report.current.to)}.</p>
    <table><tr><th>feature</th><th>distance</th><th>value</th><th>threshold</th><th>verdict</th></tr>${rows}</table></section>`;
}

function slaSection(data: StatusData): string {
  const rows = data.services
    .map(
      (s) =>
        `<tr class="${s.availability !== null && s.availability < s.sloTarget ? 'breach' : ''}"><td>${escape(s.service)}</td>` +
        `<td>${percent(s.availability, 2)}</td><td>${percent(s.sloTarget, 0)}</td>` +
        `<td>${s.window.requests.toLocaleString('en-US')}</td><td>${s.window.failed}</td><td>${s.window.timedOut}</td>` +
        `<td>${s.outbox ? `${s.outbox.pending} (${Math.round(s.outbox.oldestSeconds)} s)` : '—'}</td></tr>`,
    )
    .join('');
  return `<section><h2>The SLA</h2>${
    rows
      ? `<table><tr><th>service</th><th>availability</th><th>objective</th><th>requests</th><th>failed</th><th>timed out</th><th>outbox</th></tr>${rows}</table>`
      : '<p>No service has reported yet.</p>'
  }</section>`;
}

const style = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d2430;background:#f6f7f9}
h1{margin:0 0 .2rem}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}section{background:#fff;padding:.8rem 1rem;border-radius:8px;margin-bottom:1rem}
table{border-collapse:collapse;margin:.3rem 1rem .3rem 0}td,th{padding:.2rem .6rem;border-bottom:1px solid #e3e6ea;text-align:left}
caption{text-align:left;font-weight:600}.columns{display:flex;flex-wrap:wrap}
.flow{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0}
.stage{border-radius:6px;padding:.4rem .6rem;min-width:9rem;display:flex;flex-direction:column;background:#eef1f4}
.stage.ok{border-left:6px solid #2e9e5b}.stage.warn{border-left:6px solid #e0a526}.stage.down{border-left:6px solid #d64545}
.stage.unknown{border-left:6px solid #9aa3ad}.state{font-weight:600;text-transform:uppercase;font-size:.75rem}
tr.critical td,tr.drifted td,tr.breach td{background:#fdecec}tr.warning td{background:#fff6e0}small{color:#5b6573}`;

/** The status page: server-rendered, self-contained (no script, no external resource), refreshing itself. */
export function renderStatusPage(data: StatusData): string {
  const firing = data.alerts.filter((a) => a.state === 'firing').length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${data.refreshSeconds}">
<title>Newsroom status${firing ? ` — ${firing} alert${firing === 1 ? '' : 's'} firing` : ''}</title>
<style>${style}</style></head><body>
<h1>Newsroom status</h1>
<p><small>As of ${escape(data.generatedAt.toISOString())}; this page refreshes every ${data.refreshSeconds} s.
The same figures: <a href="/v1/pipeline">/v1/pipeline</a>, <a href="/v1/services">/v1/services</a>,
<a href="/v1/model-quality">/v1/model-quality</a>, <a href="/v1/drift">/v1/drift</a>, <a href="/v1/alerts">/v1/alerts</a>.</small></p>
${
  data.unavailable.length
    ? `<section class="unavailable"><h2>Not available now</h2><ul>${data.unavailable.map((u) => `<li>${escape(u)}</li>`).join('')}</ul></section>`
    : ''
}${flowSection(data)}${championSection(data)}${alertsSection(data)}${driftSection(data)}${slaSection(data)}
</body></html>
`;
}
