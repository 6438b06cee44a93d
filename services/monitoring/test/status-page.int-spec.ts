import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { waitFor, workspaceRoot } from '@newsroom/testing';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's chromium, or what CHROMIUM_BIN names. */
async function chromium(args: string[]): Promise<string> {
  const bin = process.env['CHROMIUM_BIN'] ?? 'chromium';
  const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
  try {
    const { stdout } = await run(
      bin,
      [
        '--headless',
        // As root (CI), Chromium runs only without its sandbox.
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(
        `${bin} not found: install it (Debian/Ubuntu: apt-get install -y chromium; .ci/run does) or set CHROMIUM_BIN`,
      );
    throw error;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/**
 * Monitoring's status page at `/`, opened in a real headless Chromium against a real monitoring
 * process: the flow, the SLA (from the service's own vitals) and an open alert are on it; a
 * screenshot is kept in dist/test-artifacts/ for whoever wants to see it.
 */
describe('monitoring: the status page in a browser', () => {
  let world: ServiceWorld;
  let monitoring: ServiceHandle;
  let url: string;

  beforeAll(async () => {
    world = await serviceWorld(1);
    monitoring = await world.start('monitoring', { VITALS_INTERVAL_MS: '500' });
    url = `http://127.0.0.1:${monitoring.process.port}/`;
  }, 120_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('shows the flow, the SLA and the open alerts, with no resource from elsewhere', async () => {
    // An alert Prometheus fired, through Alertmanager's receiver.
    const posted = await monitoring.post('/v1/alerts/alertmanager', {
      version: '4',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: {
            alertname: 'NewsroomTargetDown',
            severity: 'critical',
            type: 'pipeline',
            service: 'training',
          },
          annotations: { summary: 'training (training:3003) is down' },
          startsAt: new Date().toISOString(),
          fingerprint: 'status-page-test',
        },
      ],
    });
    expect(posted.status).toBe(200);
    // Data first: monitoring has folded its own vitals.
    await waitFor('monitoring reports its own vitals', async () =>
      ((await monitoring.get('/v1/services')).body.items as Json[]).some((s) => s.service === 'monitoring'),
    );

    const dom = await chromium(['--dump-dom', url]);
    const text = dom.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Newsroom status');
    for (const stage of ['producers', 'ingestion', 'feature-store', 'training', 'batch-scoring', 'serving'])
      expect(text).toContain(stage);
    expect(text).toContain('No champion yet');
    expect(text).toContain('Open alerts (1)');
    expect(text).toContain('training (training:3003) is down');
    expect(text).toMatch(/The SLA .*monitoring \d+\.\d\d% 95%/);
    expect(dom).toMatch(/<li class="stage ok"><strong>monitoring<\/strong>/);
    expect(dom).not.toMatch(/<script|src="http/);

    const artifacts = join(workspaceRoot, 'dist', 'test-artifacts');
    await mkdir(artifacts, { recursive: true });
    const screenshot = join(artifacts, 'status-page.png');
    await chromium(['--hide-scrollbars', '--window-size=1280,1600', `--screenshot=${screenshot}`, url]);
    expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
    process.stdout.write(`status page screenshot: ${screenshot}\n`);
  }, 180_000);
});
