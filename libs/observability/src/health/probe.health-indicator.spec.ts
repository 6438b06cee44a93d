import { HealthIndicatorService } from '@nestjs/terminus';
import { checkProbe } from './probe.health-indicator';

describe('checkProbe', () => {
  const indicators = new HealthIndicatorService();

  it('is up when the probe answers', async () => {
    await expect(checkProbe(indicators, 'kafka', { ping: async () => undefined }, 100)).resolves.toEqual({
      kafka: { status: 'up' },
    });
  });

  it('is down with the reason when the probe fails', async () => {
    const failing = { ping: () => Promise.reject(new Error('connection refused')) };
    await expect(checkProbe(indicators, 'postgres', failing, 100)).resolves.toEqual({
      postgres: { status: 'down', message: 'connection refused' },
    });
  });

  it('is down when the probe hangs past the deadline', async () => {
    const hanging = { ping: () => new Promise<void>(() => undefined) };
    await expect(checkProbe(indicators, 'kafka', hanging, 20)).resolves.toEqual({
      kafka: { status: 'down', message: 'no answer within 20 ms' },
    });
  });
});
