import { Registry } from 'prom-client';
import { monitorEventLoopDelay } from './event-loop-delay';
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
