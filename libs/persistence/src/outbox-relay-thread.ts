import { Logger } from '@nestjs/common';
import type { KafkaSecurity } from '@newsroom/messaging';
import { Worker } from 'node:worker_threads';
import { OutboxRelayOptions, OutboxRelayReport, prometheusRelayReport } from './outbox-relay';

export interface RelayWorkerData {
  databaseUrl: string;
  schema: string;
  brokers: string[];
  security: KafkaSecurity;
  clientId: string;
  topicPrefix: string;
  relay: OutboxRelayOptions;
}

export type RelayWorkerMessage =
  | { type: 'started' | 'stopped' | 'failed' }
  | { type: 'relayed'; topic: string; count: number }
  | { type: 'backlog'; pending: number; oldestSeconds: number }
  | { type: 'fatal'; message: string };

/**
 * Runs the outbox relay (outbox-relay.worker.js, built next to the service's main.js) in a worker
 * thread. A worker that dies takes the process with it (`onFatal`): without a relay, events would
 * silently pile up in the outbox.
 */
export class OutboxRelayThread {
  private readonly logger = new Logger(OutboxRelayThread.name);
  private worker?: Worker;
  private stopping = false;

  constructor(
    private readonly script: string,
    private readonly data: RelayWorkerData,
    private readonly onFatal: (error: Error) => void = (error) => {
      this.logger.error(`outbox relay thread failed, exiting: ${error.message}`);
      process.exit(1);
    },
    private readonly report: OutboxRelayReport = prometheusRelayReport(),
  ) {}

  start(): void {
    const worker = new Worker(this.script, { workerData: this.data });
    this.worker = worker;
    worker.on('message', (message: RelayWorkerMessage) => {
      switch (message.type) {
        case 'relayed':
          return this.report.relayed(message.topic, message.count);
        case 'failed':
          return this.report.failed();
        case 'backlog':
          return this.report.backlog(message.pending, message.oldestSeconds);
        case 'fatal':
          return this.onFatal(new Error(message.message));
      }
    });
    worker.on('error', (error) => this.onFatal(error));
    worker.on('exit', (code) => {
      if (!this.stopping) this.onFatal(new Error(`outbox relay thread exited with code ${code}`));
    });
  }

  /** Lets the worker finish its batch and close its connections, then ends it. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.stopping = true;
    await new Promise<void>((resolve) => {
      worker.on('message', (message: RelayWorkerMessage) => message.type === 'stopped' && resolve());
      worker.once('exit', () => resolve());
      worker.postMessage('stop');
    });
    await worker.terminate();
  }
}
