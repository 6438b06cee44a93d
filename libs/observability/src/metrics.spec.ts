import { getHeapStatistics } from 'node:v8';
import { Registry } from 'prom-client';
import { monitorEventLoopDelay } from './event-loop-delay';
import { exportHeapLimit } from './heap-limit';
import { counter, metricsRegistry } from './metrics';

describe('metrics', () => {
  it('shares one metric between callers asking for the same name', async () => {
    const a = counter('test_shared_total', 'shared', ['topic']);
    const b = counter('test_shared_total', 'shared', ['topic']);
    a.inc({ topic: 'x' });
    b.inc({ topic: 'x' });
    expect(a).toBe(b);
    expect(await metricsRegistry.getSingleMetricAsString('test_shared_total')).toContain(
      'test_shared_total{topic="x"} 2',
    );
  });
});

describe('event-loop delay', () => {
  it('is observed as a cumulative histogram, a blocked loop showing as a late timer', async () => {
    const registry = new Registry();
    monitorEventLoopDelay(registry);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const busyUntil = performance.now() + 300;
    while (performance.now() < busyUntil) {
      // Blocks the loop: the behaviour under test.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    const text = await registry.metrics();
    expect(text).toMatch(/nodejs_eventloop_delay_seconds_bucket\{le="0.005"\} [1-9]/);
    const max = Number(/^nodejs_eventloop_delay_max_seconds (\S+)$/m.exec(text)?.[1]);
    expect(max).toBeGreaterThan(0.15);
    expect(max).toBeLessThan(5);
  });
});

describe('heap limit', () => {
  it("is V8's limit, above the heap in use", async () => {
    const registry = new Registry();
    exportHeapLimit(registry);
    const text = await registry.metrics();
    const limit = Number(/^nodejs_heap_size_limit_bytes (\S+)$/m.exec(text)?.[1]);
    expect(limit).toBe(getHeapStatistics().heap_size_limit);
    expect(limit).toBeGreaterThan(process.memoryUsage().heapUsed);
  });
});
