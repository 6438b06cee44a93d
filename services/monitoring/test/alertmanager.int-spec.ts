import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { freePort, waitFor, workspaceRoot } from '@newsroom/testing';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/** Debian's package names the binary prometheus-alertmanager; upstream's is alertmanager. */
function alertmanagerBinary(): string {
  for (const name of [process.env['ALERTMANAGER_BIN'], 'prometheus-alertmanager', 'alertmanager']) {
    if (!name) continue;
    try {
      execFileSync(name, ['--version'], { stdio: 'ignore' });
      return name;
    } catch {
      // not this one
    }
  }
  throw new Error(
    'Alertmanager not found: install it (Debian/Ubuntu: apt-get install -y prometheus-alertmanager; .ci/run does) or set ALERTMANAGER_BIN',
  );
}

/**
 * The repository's Alertmanager configuration run by a real Alertmanager (its routes, grouping and
 * inhibitions as they are; only the monitoring receiver's address and the waits shortened),
 * posting to a real monitoring process: what Prometheus fires joins monitoring's alert list, an
 * alert inhibited by a down pipeline is held back until the pipeline is back, and a resolved
 * alert is resolved in the list.
 */
describe('monitoring: Alertmanager posts what Prometheus fired', () => {
  let world: ServiceWorld;
  let monitoring: ServiceHandle;
  let alertmanager: ChildProcess;
  let amUrl: string;
  let dir: string;
  let output = '';

  const postAlerts = async (alerts: Json[]) => {
    const response = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(response.status).toBe(200);
  };
  const amAlert = async (alertname: string): Promise<Json | undefined> => {
    const response = await fetch(
      `${amUrl}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`,
    );
    return ((await response.json()) as Json[])[0];
  };
  const listed = async (alertname: string): Promise<Json | undefined> =>
    (await monitoring.get('/v1/alerts')).body.items.find(
      (a: Json) => a.source === 'prometheus' && a.details.alertname === alertname,
    );

  const startsAt = new Date().toISOString();
  const trainingDown = {
    labels: {
      alertname: 'NewsroomTargetDown',
      severity: 'critical',
      type: 'pipeline',
      pipeline: 'model',
      job: 'newsroom',
      service: 'training',
      instance: 'training:3003',
    },
    annotations: { summary: 'training (training:3003) is down: the model stops being renewed' },
    startsAt,
  };
  const championStale = {
    labels: { alertname: 'NewsroomChampionStale', severity: 'warning', type: 'pipeline', stage: 'champion' },
    annotations: { summary: 'The champion is 2d 0h 0m 40s old' },
    startsAt,
  };

  beforeAll(async () => {
    world = await serviceWorld(1);
    monitoring = await world.start('monitoring');
    dir = await mkdtemp(join(tmpdir(), 'alertmanager-'));
    const config = parse(await readFile(join(workspaceRoot, 'infra/alertmanager/alertmanager.yml'), 'utf8'));
    for (const route of [config.route, ...config.route.routes]) {
      if (route.group_wait) route.group_wait = '1s';
      if (route.group_interval) route.group_interval = '1s';
    }
    config.route.group_wait = '1s';
    config.route.group_interval = '1s';
    const receiver = config.receivers.find((r: Json) => r.name === 'monitoring');
    receiver.webhook_configs[0].url = `http://127.0.0.1:${monitoring.process.port}/v1/alerts/alertmanager`;
    await writeFile(join(dir, 'alertmanager.yml'), stringify(config));
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    alertmanager = spawn(
      alertmanagerBinary(),
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // One instance: no gossip port to take.
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    alertmanager.stdout?.on('data', (d) => (output += d));
    alertmanager.stderr?.on('data', (d) => (output += d));
    await waitFor(
      'Alertmanager ready',
      async () => {
        if (alertmanager.exitCode !== null) throw new Error(`Alertmanager exited:\n${output.slice(-2_000)}`);
        return (await fetch(`${amUrl}/-/ready`).catch(() => undefined))?.ok;
      },
      { timeoutMs: 30_000 },
    );
  }, 120_000);

  afterAll(async () => {
    if (alertmanager && alertmanager.exitCode === null) {
      const exited = new Promise((resolve) => alertmanager.once('exit', resolve));
      alertmanager.kill('SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
    await world?.tearDown();
  }, 60_000);

  it('lists a fired alert, and holds back the staleness it causes while the pipeline is down', async () => {
    // The cause first: Alertmanager's inhibitor learns of a firing alert from its store a moment
    // after the API took it, and a consequence posted with it in one request has been seen (in CI,
    // under load) to be notified within that moment. The real routes' group_wait (10-30 s) covers
    // it; this test's 1 s does not always.
    await postAlerts([trainingDown]);
    await waitFor(
      'the down pipeline active in Alertmanager',
      async () => (await amAlert('NewsroomTargetDown'))?.status?.state === 'active',
    );
    await postAlerts([championStale]);
    const down = await waitFor('the down pipeline in monitoring', () => listed('NewsroomTargetDown'));
    expect(down).toMatchObject({
      type: 'pipeline',
      severity: 'critical',
      state: 'firing',
      subject: 'training',
      message: 'training (training:3003) is down: the model stops being renewed',
      source: 'prometheus',
    });
    const stale = await amAlert('NewsroomChampionStale');
    expect(stale?.status).toMatchObject({ state: 'suppressed', inhibitedBy: [expect.any(String)] });
    expect(await listed('NewsroomChampionStale')).toBeUndefined();
  }, 60_000);

  it('resolves the alert when Prometheus does, and lets the held-back one through', async () => {
    await postAlerts([{ ...trainingDown, endsAt: new Date().toISOString() }]);
    const resolved = await waitFor('the down pipeline resolved in monitoring', async () => {
      const alert = await listed('NewsroomTargetDown');
      return alert?.state === 'resolved' ? alert : undefined;
    });
    expect(resolved.resolvedAt).toBeDefined();
    // Nothing inhibits it now: Alertmanager sends it on.
    const stale = await waitFor('the stale champion in monitoring', () => listed('NewsroomChampionStale'));
    expect(stale).toMatchObject({ severity: 'warning', state: 'firing', subject: 'NewsroomChampionStale' });
  }, 60_000);
});
