/** Requests by outcome, cumulative since an instance started. */
export interface RequestCounts {
  succeeded: number;
  rejected: number;
  failed: number;
  timedOut: number;
}

/** An instance's latest report. */
export interface InstanceReport {
  instance: string;
  service: string;
  startedAt: number;
  reportedAt: number;
  intervalMs: number;
  stopping: boolean;
  sloTarget: number;
  requests: RequestCounts;
  outbox: { pending: number; oldestSeconds: number } | null;
}

/** An instance's counts as they were at (or after, when it has no earlier report) the window's start. */
export interface WindowBaseline {
  instance: string;
  reportedAt: number;
  requests: RequestCounts;
}

export interface ServiceHealth {
  service: string;
  /** Instances reporting now. */
  liveInstances: number;
  /** Instances that stopped reporting without saying goodbye (died, or lost the broker). */
  silentInstances: { instance: string; lastReportAt: string }[];
  /** No instance reports, and the last one to report did not stop cleanly. */
  down: boolean;
  lastReportAt: string;
  /** The availability objective, as the latest report gives it. */
  sloTarget: number;
  /** Requests answered in the window (all instances), by outcome. */
  window: RequestCounts & { requests: number };
  /** Share of the window's requests that neither failed nor timed out; null without requests. */
  availability: number | null;
  /**
   * The service's outbox backlog: rows waiting, and the oldest's age. Its replicas share one
   * outbox table and each reports all of it, so the largest report, not their sum.
   */
  outbox: { pending: number; oldestSeconds: number } | null;
}

const outcomes = ['succeeded', 'rejected', 'failed', 'timedOut'] as const;
const zero = (): RequestCounts => ({ succeeded: 0, rejected: 0, failed: 0, timedOut: 0 });

/**
 * Whether an instance has gone silent: no report within `silentIntervals` of its interval, counted
 * back from the newest report of any instance. Silence is judged against the newest report read,
 * not the clock: a monitoring that was down or is working through a backlog has not heard the
 * reports that are on their way.
 */
function silence(
  latest: readonly InstanceReport[],
  now: number,
  silentIntervals: number,
): (report: InstanceReport) => boolean {
  const heardUntil = Math.min(now, Math.max(...latest.map((r) => r.reportedAt)));
  return (r) => heardUntil - r.reportedAt > silentIntervals * r.intervalMs;
}

/** The names of a service's live instances: reporting, and not stopping. */
export function liveInstances(
  latest: readonly InstanceReport[],
  service: string,
  { now, silentIntervals }: { now: number; silentIntervals: number },
): string[] {
  const quiet = silence(latest, now, silentIntervals);
  return latest
    .filter((r) => r.service === service && !r.stopping && !quiet(r))
    .map((r) => r.instance)
    .sort();
}

/**
 * Each service's health from its instances' latest reports and their counts at the window's start:
 * an instance is live while its reports keep coming (within `silentIntervals` of its interval,
 * counted back from the newest report of any instance);
 * requests in the window are each instance's latest counts minus those at the window's start
 * (nothing, for an instance started within it).
 */
export function serviceHealth(
  latest: readonly InstanceReport[],
  baselines: readonly WindowBaseline[],
  { now, windowStart, silentIntervals }: { now: number; windowStart: number; silentIntervals: number },
): ServiceHealth[] {
  const baselineOf = new Map(baselines.map((b) => [b.instance, b]));
  const quiet = silence(latest, now, silentIntervals);
  const byService = new Map<string, InstanceReport[]>();
  for (const report of latest)
    byService.set(report.service, [...(byService.get(report.service) ?? []), report]);
  return [...byService.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([service, reports]) => {
      const newest = reports.reduce((a, b) => (b.reportedAt > a.reportedAt ? b : a));
      const live = reports.filter((r) => !r.stopping && !quiet(r));
      const silent = reports.filter((r) => !r.stopping && quiet(r));
      const window = zero();
      for (const report of reports) {
        const baseline = baselineOf.get(report.instance);
        const from =
          baseline && (baseline.reportedAt <= windowStart || report.startedAt < windowStart)
            ? baseline.requests
            : zero();
        for (const outcome of outcomes)
          window[outcome] += Math.max(0, report.requests[outcome] - from[outcome]);
      }
      const requests = outcomes.reduce((sum, outcome) => sum + window[outcome], 0);
      const backlogs = live.flatMap((r) => (r.outbox ? [r.outbox] : []));
      return {
        service,
        liveInstances: live.length,
        silentInstances: silent.map((r) => ({
          instance: r.instance,
          lastReportAt: new Date(r.reportedAt).toISOString(),
        })),
        down: live.length === 0 && !newest.stopping,
        lastReportAt: new Date(newest.reportedAt).toISOString(),
        sloTarget: newest.sloTarget,
        window: { ...window, requests },
        availability: requests === 0 ? null : 1 - (window.failed + window.timedOut) / requests,
        outbox:
          backlogs.length === 0
            ? null
            : {
                pending: Math.max(...backlogs.map((b) => b.pending)),
                oldestSeconds: Math.max(...backlogs.map((b) => b.oldestSeconds)),
              },
      };
    });
}
