import { Gauge, Registry } from 'prom-client';
import { getHeapStatistics } from 'node:v8';

/**
 * V8's heap limit (`--max-old-space-size`, or what V8 chose from the machine's memory), which
 * prom-client does not export: heap used over it is how close a process is to running out, the
 * figure the alert rules watch.
 */
export function exportHeapLimit(registry: Registry): void {
  new Gauge({
    name: 'nodejs_heap_size_limit_bytes',
    help: "V8's heap size limit: the process fails to allocate beyond it",
    registers: [registry],
    collect() {
      this.set(getHeapStatistics().heap_size_limit);
    },
  });
}
