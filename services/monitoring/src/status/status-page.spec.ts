import { StoredAlert } from '../alerts/alert';
import { ServiceHealth } from '../vitals/service-health';
import { StatusData, renderStatusPage } from './status-page';

const now = new Date('2026-12-04T12:00:00.000Z');
const health = (service: string, overrides: Partial<ServiceHealth> = {}): ServiceHealth => ({
  service,
  liveInstances: 1,
  silentInstances: [],
  down: false,
  lastReportAt: now.toISOString(),
  sloTarget: 0.95,
  window: { succeeded: 990, rejected: 0, failed: 10, timedOut: 0, requests: 1000 },
  availability: 0.99,
  outbox: { pending: 0, oldestSeconds: 0 },
  ...overrides,
});
const empty: StatusData = {
  generatedAt: now,
  refreshSeconds: 30,
  services: [],
  pipeline: null,
  champion: null,
  quality: null,
  drift: null,
  alerts: [],
  unavailable: [],
};
/** The text a reader sees in a stage's box. */
const stage = (html: string, service: string) =>
  new RegExp(`<li class="stage (\\w+)"><strong>${service}</strong>`).exec(html)?.[1];

describe('renderStatusPage', () => {
  it('says what is missing on a platform that has just started', () => {
    const html = renderStatusPage(empty);
    expect(html).toContain('No champion yet: readers get the fallback lists.');
    expect(html).toContain('None firing.');
    expect(html).toContain('No report yet: it needs a champion');
    expect(html).toContain('No service has reported yet.');
    expect(stage(html, 'serving')).toBe('unknown');
  });

  it('says which parts could not be read, as text', () => {
    const html = renderStatusPage({ ...empty, unavailable: ['drift: connection <terminated>'] });
    expect(html).toContain(
      '<h2>Not available now</h2><ul><li>drift: connection &lt;terminated&gt;</li></ul>',
    );
  });

  it('is self-contained and refreshes itself: no script, no resource from elsewhere', () => {
    const html = renderStatusPage(empty);
    expect(html).toContain('<meta http-equiv="refresh" content="30">');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
  });

  it('marks each stage by its instances, its objective, its consumers and its critical alerts', () => {
    const alert: StoredAlert = {
      alertId: '6b0f8a52-5b3a-4c5e-9a47-7bd4c1c7f0a1',
      type: 'pipeline',
      severity: 'critical',
      state: 'firing',
      subject: 'training',
      dedupKey: 'pipeline:training-failed-in-a-row',
      message: 'the last 2 training runs failed; the latest: <no snapshot>',
      details: {},
      firstSeenAt: '2026-12-04T11:00:00.000Z',
      lastSeenAt: now.toISOString(),
      source: 'monitoring',
    };
    const html = renderStatusPage({
      ...empty,
      services: [
        health('ingestion'),
        health('serving', { availability: 0.9 }),
        health('batch-scoring', { down: true, liveInstances: 0 }),
        health('training'),
      ],
      alerts: [alert],
    });
    expect(stage(html, 'ingestion')).toBe('ok');
    expect(stage(html, 'serving')).toBe('warn');
    expect(html).toContain('availability 90.0% &lt; 95%');
    expect(stage(html, 'batch-scoring')).toBe('down');
    expect(stage(html, 'training')).toBe('warn');
    // A message is text, never markup.
    expect(html).toContain('the latest: &lt;no snapshot&gt;');
    expect(html).toContain('<title>Newsroom status — 1 alert firing</title>');
    expect(html).toMatch(/<td>critical<\/td><td>pipeline<\/td><td>training<\/td>.*<td>60 min<\/td>/);
  });
});
