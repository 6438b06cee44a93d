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
