import { Counter, Gauge, Histogram, collectDefaultMetrics, register } from 'prom-client';
import { monitorEventLoopDelay } from './event-loop-delay';
import { exportHeapLimit } from './heap-limit';
import { collectProcessIo } from './process-io';

/**
 * One prom-client registry per process (the default one), so that every lib's metrics appear on
 * the service's /metrics. Metrics are created on first use and shared after, because several
 * modules (and test apps in one process) may ask for the same one.
 */
export const metricsRegistry = register;

let defaultsCollected = false;
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register });
  monitorEventLoopDelay(register);
  exportHeapLimit(register);
  collectProcessIo();
}

export function counter<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): Counter<L> {
  return (register.getSingleMetric(name) as Counter<L>) ?? new Counter({ name, help, labelNames });
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  return (register.getSingleMetric(name) as Gauge<L>) ?? new Gauge({ name, help, labelNames });
}

export function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
): Histogram<L> {
  return (
    (register.getSingleMetric(name) as Histogram<L>) ?? new Histogram({ name, help, labelNames, buckets })
  );
}
