import { Gauge, Histogram, Registry } from 'prom-client';

/** How often the loop is sampled: a blocked loop shows as a timer this much late, or more. */
const SAMPLE_EVERY_MS = 100;

/**
 * The event loop's delay as a cumulative histogram (prom-client's own nodejs_eventloop_lag_*
 * gauges are reset at every scrape, so they cannot be aggregated over a window): every 100 ms a
 * timer notes how late it fires. `histogram_quantile(0.99, rate(..._bucket[5m]))` is the p99
 * over any window; the max gauge is the worst since the process started.
 */
export function monitorEventLoopDelay(registry: Registry): void {
  const delay = new Histogram({
    name: 'nodejs_eventloop_delay_seconds',
    help: 'How late a 100 ms timer fired: the time the event loop was busy beyond it',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const max = new Gauge({
    name: 'nodejs_eventloop_delay_max_seconds',
    help: 'The longest event-loop delay since the process started',
    registers: [registry],
  });
  let worst = 0;
  let expected = performance.now() + SAMPLE_EVERY_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    const late = Math.max(0, now - expected) / 1000;
    expected = now + SAMPLE_EVERY_MS;
    delay.observe(late);
    if (late > worst) max.set((worst = late));
  }, SAMPLE_EVERY_MS);
  timer.unref();
}
