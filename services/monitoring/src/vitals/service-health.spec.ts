import { InstanceReport, RequestCounts, liveInstances, serviceHealth } from './service-health';

const MINUTE = 60_000;
const now = 1_000 * MINUTE;
const windowStart = now - 60 * MINUTE;
const options = { now, windowStart, silentIntervals: 4 };
const counts = (succeeded: number, failed = 0, timedOut = 0, rejected = 0): RequestCounts => ({
  succeeded,
  rejected,
  failed,
  timedOut,
});
const report = (over: Partial<InstanceReport>): InstanceReport => ({
  instance: 'serving-a',
  service: 'serving',
  startedAt: now - 600 * MINUTE,
  reportedAt: now - 5_000,
  intervalMs: 15_000,
  stopping: false,
  sloTarget: 0.95,
  requests: counts(0),
  outbox: { pending: 0, oldestSeconds: 0 },
  ...over,
});

describe('service health from vitals', () => {
  it("counts the window's requests from each instance's counts at its start, over every instance", () => {
    const [serving] = serviceHealth(
      [
        report({ instance: 'a', requests: counts(5_000, 80, 10, 7) }),
        // Started within the window: everything it counted is in it.
        report({ instance: 'b', startedAt: now - 10 * MINUTE, requests: counts(900, 10) }),
      ],
      [
        { instance: 'a', reportedAt: windowStart - 3_000, requests: counts(4_000, 20, 10, 2) },
        { instance: 'b', reportedAt: now - 9 * MINUTE, requests: counts(100) },
      ],
      options,
    );
    expect(serving.window).toEqual({
      succeeded: 1_900,
      rejected: 5,
      failed: 70,
      timedOut: 0,
      requests: 1_975,
    });
    expect(serving.availability).toBeCloseTo(1 - 70 / 1_975, 10);
    expect(serving).toMatchObject({ liveInstances: 2, silentInstances: [], down: false, sloTarget: 0.95 });
  });

  it("takes an older instance's first report as its baseline when none is as old as the window", () => {
    const [serving] = serviceHealth(
      [report({ requests: counts(1_000, 50) })],
      [{ instance: 'serving-a', reportedAt: windowStart + 5 * MINUTE, requests: counts(700, 50) }],
      options,
    );
    expect(serving.window.requests).toBe(300);
    expect(serving.availability).toBe(1);
  });

  it('has no availability without requests', () => {
    expect(serviceHealth([report({})], [], options)[0]).toMatchObject({
      availability: null,
      window: { requests: 0 },
    });
  });

  it('tells an instance that died from one that stopped, and a service down from one replaced', () => {
    // Monitoring's own reports say how far it has heard: up to now here.
    const heard = report({ service: 'monitoring', instance: 'monitoring-1', reportedAt: now });
    const dead = report({ instance: 'dead', reportedAt: now - 61_000 });
    const [, replaced] = serviceHealth(
      [dead, report({ instance: 'new', reportedAt: now }), heard],
      [],
      options,
    );
    expect(replaced).toMatchObject({
      liveInstances: 1,
      silentInstances: [{ instance: 'dead', lastReportAt: new Date(now - 61_000).toISOString() }],
      down: false,
    });
    expect(serviceHealth([dead, heard], [], options)[1]).toMatchObject({ liveInstances: 0, down: true });
    // Silent for less than four intervals: still live.
    expect(serviceHealth([report({ reportedAt: now - 59_000 }), heard], [], options)[1].liveInstances).toBe(
      1,
    );
    // Stopped cleanly last: scaled down, not down.
    const stopped = report({ instance: 'stopped', stopping: true, reportedAt: now - 30_000 });
    expect(serviceHealth([dead, stopped, heard], [], options)[1]).toMatchObject({
      liveInstances: 0,
      down: false,
    });
  });

  it('calls no instance silent for reports monitoring has not read yet (restarted, or behind)', () => {
    // Every report read is a minute old: monitoring is behind, not every service dead.
    const behind = [
      report({ instance: 'serving-a', reportedAt: now - 5 * MINUTE }),
      report({ service: 'monitoring', instance: 'monitoring-1', reportedAt: now - 5 * MINUTE - 2_000 }),
    ];
    expect(serviceHealth(behind, [], options).map((h) => [h.service, h.liveInstances, h.down])).toEqual([
      ['monitoring', 1, false],
      ['serving', 1, false],
    ]);
  });

  it('keeps the largest outbox backlog its live instances report, and the oldest row', () => {
    const [serving] = serviceHealth(
      [
        report({ instance: 'a', outbox: { pending: 3, oldestSeconds: 40 } }),
        report({ instance: 'b', outbox: { pending: 7, oldestSeconds: 400 } }),
        report({ instance: 'gone', stopping: true, outbox: { pending: 99, oldestSeconds: 9_999 } }),
      ],
      [],
      options,
    );
    // Both replicas report the one outbox table they share.
    expect(serving.outbox).toEqual({ pending: 7, oldestSeconds: 400 });
  });

  it('lists services by name, each on its own reports', () => {
    const health = serviceHealth(
      [report({ instance: 'x', service: 'serving' }), report({ instance: 'y', service: 'ingestion' })],
      [],
      options,
    );
    expect(health.map((h) => [h.service, h.liveInstances])).toEqual([
      ['ingestion', 1],
      ['serving', 1],
    ]);
  });

  it("names a service's live instances: not stopping, not silent, by the same rule", () => {
    const latest = [
      report({ instance: 'serving-b' }),
      report({ instance: 'serving-a' }),
      report({ instance: 'serving-stopped', stopping: true }),
      report({ instance: 'serving-silent', reportedAt: now - 5 * 15_000 - 5_000 }),
      report({ instance: 'scoring-a', service: 'batch-scoring' }),
    ];
    expect(liveInstances(latest, 'serving', { now, silentIntervals: 4 })).toEqual(['serving-a', 'serving-b']);
    expect(liveInstances(latest, 'training', { now, silentIntervals: 4 })).toEqual([]);
  });
});
