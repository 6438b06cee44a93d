import { Logger } from '@nestjs/common';
import { Cron } from 'croner';

/**
 * Calls `onSlot` with each slot's time of a cron expression (UTC; seconds allowed), never two at
 * once, and logs the next run. Replicas each fire every slot: `onSlot` must claim it (e.g. by a
 * unique key) so that only one acts. `stop()` on the result ends it.
 */
export function cronSchedule(
  expression: string,
  what: string,
  logger: Logger,
  onSlot: (slot: Date) => Promise<void>,
): Cron {
  const cron = new Cron(expression, { timezone: 'UTC', protect: true }, (job: Cron) =>
    onSlot(job.currentRun() ?? new Date()),
  );
  logger.log(`${what}: "${expression}" UTC, next at ${cron.nextRun()?.toISOString()}`);
  return cron;
}
