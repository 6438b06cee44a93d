import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { LastingFailureLog, isDependencyOutage } from '@newsroom/messaging';

/**
 * Runs `run` every `intervalMs`, never two at once; `stop` waits for the run in flight. A run that
 * returns true had more to do and is followed at once by the next. Failures are logged, not fatal:
 * the next tick tries again (an unavailable database or broker is logged once, then every 30 s).
 */
export class PeriodicTask {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private readonly outage = new LastingFailureLog();

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly run: () => Promise<boolean | void>,
  ) {
    this.logger = new Logger(name);
  }

  start(): void {
    this.stopped = false;
    this.schedule(this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => (this.running = undefined));
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let more = false;
    try {
      more = (await this.run()) === true;
      const outageSeconds = this.outage.over();
      if (outageSeconds !== undefined) this.logger.log(`${this.name} works again after ${outageSeconds} s`);
    } catch (error) {
      this.failed(error as Error);
    }
    this.schedule(more ? 0 : this.intervalMs);
  }

  private failed(error: Error): void {
    if (!isDependencyOutage(error)) {
      this.logger.warn(`${this.name} failed: ${error.message}`);
      return;
    }
    if (!this.outage.failing()) return;
    this.logger.warn(
      `${this.name} waits for an unavailable dependency (for ${this.outage.seconds()} s): ${error.message}`,
    );
  }
}

/**
 * A provider that runs one PeriodicTask for the application's lifetime: started once the
 * application has bootstrapped (consumers and HTTP ready), stopped before it shuts down, waiting
 * for the run in flight.
 */
export abstract class PeriodicJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;

  protected constructor(name: string, intervalMs: number) {
    this.task = new PeriodicTask(name, intervalMs, () => this.runOnce());
  }

  /** One run; true when there was more to do and the next should follow at once. */
  protected abstract runOnce(): Promise<boolean | void>;

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }
}
