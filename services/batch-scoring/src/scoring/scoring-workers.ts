import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import {
  ArticleContent,
  AttributionBaseline,
  BackendName,
  ExplainedReaders,
  ReaderProfile,
  TopK,
} from '@newsroom/ml';
import { reportBackendInUse, SERVICE_CONFIG } from '@newsroom/platform';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BatchScoringConfig } from '../config';
import { ScoringReply, ScoringRequest } from './scoring-worker-protocol';

type Request = ScoringRequest extends infer R ? (R extends ScoringRequest ? Omit<R, 'id'> : never) : never;
type Reply<T extends ScoringReply['type']> = Extract<ScoringReply, { type: T }>;

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve: (reply: ScoringReply) => void; reject: (error: Error) => void }>;
  /** The candidate pool sent to the thread last: it keeps it for the requests after. */
  poolId?: number;
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

  /** Loads a model into every thread (starting them the first time): its vector size and what its file says. */
  async load(modelBytes: Buffer): Promise<Omit<Reply<'loaded'>, 'id' | 'type' | 'backend'>> {
    if (this.threads.length === 0) this.start();
    const backends = this.config.ML_BACKENDS as BackendName[];
    const replies = await Promise.all(
      this.threads.map((t) => {
        t.poolId = undefined;
        return this.send(t, { type: 'load', modelBytes: new Uint8Array(modelBytes), backends });
      }),
    );
    const { backend, dimensions, freshness, attributionBaseline, lineage } = replies[0] as Reply<'loaded'>;
    reportBackendInUse(backend);
    return { dimensions, freshness, attributionBaseline, lineage };
  }

  /** The loaded model's attribution baseline over these readers and articles (computed on one thread). */
  async baseline(profiles: ReaderProfile[], articles: ArticleContent[]): Promise<AttributionBaseline> {
    const reply = await this.send(this.leastBusy(), { type: 'baseline', profiles, articles });
    return (reply as Reply<'baseline'>).baseline;
  }

  /** Every thread explains its lists from now on, from this baseline; the baseline's score. */
  async explain(baseline: AttributionBaseline): Promise<number> {
    const replies = await Promise.all(this.threads.map((t) => this.send(t, { type: 'explain', baseline })));
    return (replies[0] as Reply<'explaining'>).baselineScore;
  }

  /** Article vectors and, with `coalitions`, their coalition vectors (8 per article). */
  async articleVectors(
    articles: ArticleContent[],
    coalitions: boolean,
  ): Promise<{ vectors: Float32Array; coalitions?: Float32Array }> {
    const reply = await this.send(this.leastBusy(), { type: 'articles', articles, coalitions });
    const { vectors, coalitions: computed } = reply as Reply<'vectors'>;
    return { vectors, coalitions: computed };
  }

  /** Each reader's top k of the pool, explained when the pool carries coalition vectors. */
  async scoreReaders(
    pool: { id: number; vectors: Float32Array; coalitions?: Float32Array; freshness: Float32Array },
    profiles: ReaderProfile[],
    excluded: number[][],
    k: number,
  ): Promise<{ vectors: Float32Array; top: TopK; explained?: ExplainedReaders }> {
    const thread = this.leastBusy();
    // A thread handles its requests in order: the pool goes with the first request of it only.
    const carried =
      thread.poolId === pool.id
        ? {}
        : { pool: pool.vectors, coalitions: pool.coalitions, freshness: pool.freshness };
    thread.poolId = pool.id;
    const request = { type: 'readers' as const, poolId: pool.id, ...carried, profiles, excluded, k };
    const reply = (await this.send(thread, request).catch((error: Error) => {
      // The thread may not hold the pool now: the next request carries it again.
      thread.poolId = undefined;
      throw error;
    })) as Reply<'scored'>;
    const { readerCoalitions, attributions } = reply;
    return {
      vectors: reply.vectors,
      top: { k, indices: reply.indices, scores: reply.scores },
      ...(readerCoalitions && attributions ? { explained: { readerCoalitions, attributions } } : {}),
    };
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
