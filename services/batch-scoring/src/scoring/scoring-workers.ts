import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ArticleContent, BackendName, ReaderProfile, reportBackendInUse, TopK } from '@newsroom/ml';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BatchScoringConfig } from '../config';
import { ScoringReply, ScoringRequest } from './scoring-worker-protocol';

type Request = ScoringRequest extends infer R ? (R extends ScoringRequest ? Omit<R, 'id'> : never) : never;

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve: (reply: ScoringReply) => void; reject: (error: Error) => void }>;
}

/**
 * The scoring threads of this replica (`SCORING_WORKERS`, one per core by default), running
 * scoring.worker.js (built next to main.js). Every thread holds the same model and candidate
 * pool; reader batches go to the least busy one. A thread that dies takes the process with it:
 * its shard's lease runs out and another replica (or this one, restarted) scores it again.
 */
@Injectable()
export class ScoringWorkers implements OnApplicationShutdown {
  private readonly logger = new Logger(ScoringWorkers.name);
  private readonly threads: Thread[] = [];
  private nextId = 1;
  private stopping = false;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: BatchScoringConfig) {}

  get size(): number {
    return this.config.SCORING_WORKERS;
  }

  /** Loads a model into every thread (starting them the first time); its vector size. */
  async load(modelBytes: Buffer): Promise<number> {
    if (this.threads.length === 0) this.start();
    const backends = this.config.ML_BACKENDS as BackendName[];
    const replies = await Promise.all(
      this.threads.map((t) =>
        this.send(t, { type: 'load', modelBytes: new Uint8Array(modelBytes), backends }),
      ),
    );
    const first = replies[0] as Extract<ScoringReply, { type: 'loaded' }>;
    reportBackendInUse(first.backend);
    return first.dimensions;
  }

  async articleVectors(articles: ArticleContent[]): Promise<Float32Array> {
    const reply = await this.send(this.leastBusy(), { type: 'articles', articles });
    return (reply as Extract<ScoringReply, { type: 'vectors' }>).vectors;
  }

  async scoreReaders(
    pool: { id: number; vectors: Float32Array },
    profiles: ReaderProfile[],
    excluded: number[][],
    k: number,
  ): Promise<{ vectors: Float32Array; top: TopK }> {
    const request = { type: 'readers' as const, poolId: pool.id, pool: pool.vectors, profiles, excluded, k };
    const reply = (await this.send(this.leastBusy(), request)) as Extract<ScoringReply, { type: 'scored' }>;
    return { vectors: reply.vectors, top: { k, indices: reply.indices, scores: reply.scores } };
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private start(): void {
    for (let i = 0; i < this.size; i++) {
      const thread: Thread = { worker: new Worker(join(__dirname, 'scoring.worker.js')), pending: new Map() };
      thread.worker.on('message', (reply: ScoringReply) => {
        const waiter = thread.pending.get(reply.id);
        thread.pending.delete(reply.id);
        if (reply.type === 'failed') waiter?.reject(new Error(reply.message));
        else waiter?.resolve(reply);
      });
      const fatal = (error: Error) => {
        if (this.stopping) return;
        this.logger.error(`scoring thread ${i} failed, exiting: ${error.message}`);
        process.exit(1);
      };
      thread.worker.on('error', fatal);
      thread.worker.on('exit', (code) => fatal(new Error(`exited with code ${code}`)));
      this.threads.push(thread);
    }
    this.logger.log(`${this.size} scoring threads`);
  }

  private leastBusy(): Thread {
    if (this.threads.length === 0) throw new Error('no model loaded');
    return this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private send(thread: Thread, request: Request): Promise<ScoringReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ ...request, id });
    });
  }
}
