import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Client } from 'pg';

/**
 * The channel a schema's outbox announces new rows on (NOTIFY is sent at commit). Channel names are
 * identifiers of at most 63 bytes, schema names may be longer: a hash keeps them short and distinct.
 */
export function outboxChannel(schema: string): string {
  return `outbox_${createHash('sha256').update(schema).digest('hex').slice(0, 24)}`;
}

/**
 * Wakes the outbox relay when a transaction that wrote outbox rows commits (LISTEN on a connection
 * of its own), so an idle relay does not poll the database many times a second. While that
 * connection is down the relay falls back to polling; it reconnects with backoff.
 */
export class OutboxSignal {
  private readonly logger = new Logger(OutboxSignal.name);
  private client?: Client;
  private signalled = false;
  private waiter?: () => void;
  private sleeper?: () => void;
  private closed = false;
  private reconnectTimer?: NodeJS.Timeout;
  private failures = 0;

  constructor(
    private readonly url: string,
    private readonly channel: string,
  ) {}

  /** True while notifications arrive: the relay may then wait long between checks. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.wake();
    this.sleeper?.();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Forgets notifications so far: call before looking at the table. */
  reset(): void {
    this.signalled = false;
  }

  /** Resolves on a notification since the last reset, after `ms`, or on stop, whichever comes first. */
  wait(ms: number): Promise<void> {
    if (this.signalled || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiter = done;
    });
  }

  /** Waits `ms` whatever is notified meanwhile (a failure's backoff); cut short only by stop. */
  sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleeper = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleeper = done;
    });
  }

  private wake(): void {
    this.signalled = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.url, application_name: 'outbox-signal' });
    client.on('notification', () => this.wake());
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.closed) return void (await client.end());
      this.client = client;
      this.failures = 0;
      // Rows may have been written while nobody listened.
      this.wake();
    } catch (error) {
      await client.end().catch(() => undefined);
      this.retry(error as Error);
    }
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.retry(new Error('connection lost'));
  }

  private retry(error: Error): void {
    if (this.closed) return;
    this.failures++;
    const delay = Math.min(250 * 2 ** (this.failures - 1), 10_000);
    if (this.failures === 1)
      this.logger.warn(`not listening for outbox rows, polling meanwhile: ${error.message}`);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }
}
