export interface LivenessReport {
  url: string;
  probes: number;
  /** Probes that failed, answered other than 200, or took longer than the limit. */
  late: { at: string; ms: number; outcome: string }[];
  maxMs: number;
}

/**
 * Probes `${url}/health/live` of each service every `intervalMs` until stopped, each probe with a
 * deadline of `limitMs`: whether a service kept answering while it worked (a blocked event loop
 * answers late or not at all).
 */
export function watchLiveness(urls: string[], { intervalMs = 100, limitMs = 1_000 } = {}) {
  const reports = urls.map((url): LivenessReport => ({ url, probes: 0, late: [], maxMs: 0 }));
  let running = true;
  const loops = reports.map(async (report) => {
    while (running) {
      const started = performance.now();
      let outcome: string;
      try {
        const response = await fetch(`${report.url}/health/live`, {
          signal: AbortSignal.timeout(limitMs * 5),
        });
        outcome = String(response.status);
      } catch (error) {
        outcome = (error as Error).message;
      }
      const ms = performance.now() - started;
      report.probes++;
      report.maxMs = Math.max(report.maxMs, ms);
      if (outcome !== '200' || ms > limitMs)
        report.late.push({ at: new Date().toISOString(), ms: Math.round(ms), outcome });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  });
  return {
    /** Stops probing; the report of each service. */
    async stop(): Promise<LivenessReport[]> {
      running = false;
      await Promise.all(loops);
      return reports;
    },
  };
}
