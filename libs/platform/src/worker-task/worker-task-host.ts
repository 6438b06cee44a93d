import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerTaskMessage } from './worker-task';

/**
 * The worker side of `runWorkerTask`: runs `task` with the thread's input, posting its progress
 * reports and then its result or its error (name, message and code: enough for the caller to tell
 * a bad input from a failure of the moment).
 */
export function hostWorkerTask<I, P, R>(task: (input: I, progress: (value: P) => void) => Promise<R>): void {
  const port = parentPort;
  if (!port) throw new Error('a worker task must run in a worker thread');
  const post = (message: WorkerTaskMessage<P, R>) => port.postMessage(message);
  task(workerData as I, (value) => post({ type: 'progress', value })).then(
    (value) => post({ type: 'done', value }),
    (error: Error & { code?: unknown }) =>
      post({
        type: 'failed',
        error: {
          name: error?.name ?? 'Error',
          message: error?.message ?? String(error),
          ...(typeof error?.code === 'string' ? { code: error.code } : {}),
        },
      }),
  );
}
