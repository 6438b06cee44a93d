const probeOrScrape = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Probes and scrapes (`/health/...`, `/metrics`): frequent, with deadlines of their own (the
 * kubelet's, Prometheus's), and not the service's API — no trace, no access-log line, no timeout.
 */
export function isProbeOrScrape(url: string | undefined): boolean {
  return url !== undefined && probeOrScrape.test(url);
}
