import { Worker } from 'node:worker_threads';

/** What a task's thread posts to the thread that started it. */
export type WorkerTaskMessage<P, R> =
  | { type: 'progress'; value: P }
  | { type: 'done'; value: R }
  | { type: 'failed'; error: WorkerTaskErrorShape };

export interface WorkerTaskErrorShape {
  name: string;
  message: string;
  code?: string;
}

/** An error the task threw, in the thread that started it: its name and code survive the crossing. */
export class WorkerTaskError extends Error {
  readonly code?: string;
  constructor(shape: WorkerTaskErrorShape) {
    super(shape.message);
    this.name = shape.name;
    this.code = shape.code;
  }
}

/** The task was stopped before it finished (`abort`, e.g. on shutdown). */
export class WorkerTaskAborted extends Error {
  override readonly name = 'WorkerTaskAborted';
  constructor(message = `the task's thread was stopped`) {
    super(message);
  }
}

export interface RunningWorkerTask<R> {
  /** The task's result, once every progress report has been handled. */
  result: Promise<R>;
  /** Ends the thread; `result` then rejects with WorkerTaskAborted. */
  abort(): Promise<void>;
}

/**
 * Runs one CPU-heavy task (training, an evaluation) on a worker thread of its own, so the
 * service's event loop keeps answering health checks, HTTP and Kafka heartbeats meanwhile. The
 * script calls `hostWorkerTask` (worker-task-host.ts) and gets `input` as its workerData; its
 * progress reports are handed to `onProgress` one at a time, in order (if one fails, later ones
 * are skipped and the result is that failure). The thread ends with the task, which returns its
 * memory (a WebAssembly heap never shrinks) to the system.
 */
export function runWorkerTask<I, P, R>(
  script: string,
  input: I,
  onProgress: (progress: P) => void | Promise<void> = () => undefined,
): RunningWorkerTask<R> {
  const worker = new Worker(script, { workerData: input });
  let aborted = false;
  let progressHandled: Promise<void> = Promise.resolve();
  // A handler's failure is kept (never left unhandled) and decides the result once the task is over.
  let progressFailure: { error: unknown } | undefined;
  const result = new Promise<R>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      // Progress reports come before the outcome: let their handlers finish first.
      void progressHandled.then(() =>
        progressFailure && !aborted ? reject(progressFailure.error) : outcome(),
      );
      void worker.terminate();
    };
    worker.on('message', (message: WorkerTaskMessage<P, R>) => {
      if (message.type === 'progress') {
        progressHandled = progressHandled
          .then(() => (progressFailure ? undefined : onProgress(message.value)))
          .catch((error: unknown) => void (progressFailure ??= { error }));
      } else if (message.type === 'done') {
        settle(() => resolve(message.value));
      } else {
        settle(() => reject(new WorkerTaskError(message.error)));
      }
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() =>
        reject(
          aborted
            ? new WorkerTaskAborted()
            : new Error(`the task's thread exited with code ${code} before it finished`),
        ),
      ),
    );
  });
  return {
    result,
    abort: async () => {
      aborted = true;
      await worker.terminate();
      await result.catch(() => undefined);
    },
  };
}
