import { Logger } from '@nestjs/common';
import { Cron } from 'croner';

/**
 * Calls `onSlot` with each slot of a cron expression (UTC; seconds allowed), never two at once,
 * and logs the next run. The slot is the scheduled instant, not when the timer fired (a busy event
 * loop fires late), so every replica names a slot alike: `onSlot` must claim it (e.g. by a unique
 * key) so that only one acts. Its failures are logged. `stop()` on the result ends it.
 */
export function cronSchedule(
  expression: string,
  what: string,
  logger: Logger,
  onSlot: (slot: Date) => Promise<void>,
): Cron {
  let due: Date | null = null;
  const cron = new Cron(
    expression,
    {
      timezone: 'UTC',
      protect: true,
      catch: (error) => logger.error(`${what} failed: ${(error as Error).message}`),
    },
    async (job: Cron) => {
      const slot = due ?? job.currentRun() ?? new Date();
      due = job.nextRun();
      await onSlot(slot);
    },
  );
  due = cron.nextRun();
  logger.log(`${what}: "${expression}" UTC, next at ${due?.toISOString()}`);
  return cron;
}
