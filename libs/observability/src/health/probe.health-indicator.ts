import { HealthIndicatorService } from '@nestjs/terminus';
import { HealthProbe } from './health-probe';

/** Turns a HealthProbe into a Terminus indicator with a deadline, so a hung dependency reads as down. */
export async function checkProbe(
  indicators: HealthIndicatorService,
  key: string,
  probe: HealthProbe,
  timeoutMs: number,
) {
  const indicator = indicators.check(key);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return indicator.up();
  } catch (error) {
    return indicator.down({ message: (error as Error).message });
  } finally {
    clearTimeout(timer);
  }
}
