import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerTaskAborted, WorkerTaskError, runWorkerTask } from './worker-task';

/** A task thread speaking the protocol of worker-task-host.ts, its behaviour chosen by its input. */
const script = `
const { parentPort, workerData } = require('node:worker_threads');
const post = (m) => parentPort.postMessage(m);
if (workerData.hang) setInterval(() => undefined, 1000);
else {
  for (let i = 1; i <= workerData.progress; i++) post({ type: 'progress', value: i });
  if (workerData.fail) post({ type: 'failed', error: { name: 'DatasetFormatError', message: 'line 3: bad', code: 'E_BAD' } });
  else post({ type: 'done', value: workerData.progress * 10 });
}`;

describe('runWorkerTask', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'worker-task-'));
    file = join(dir, 'task.js');
    writeFileSync(file, script);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hands progress over in order, each handled before the result', async () => {
    const seen: number[] = [];
    const task = runWorkerTask<object, number, number>(file, { progress: 5 }, async (p) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(p);
    });
    expect(await task.result).toBe(50);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it("gives the task's error with its name and code", async () => {
    const task = runWorkerTask(file, { progress: 0, fail: true });
    await expect(task.result).rejects.toEqual(expect.any(WorkerTaskError));
    await expect(task.result).rejects.toMatchObject({ name: 'DatasetFormatError', code: 'E_BAD' });
  });

  it("ends with a failing progress handler's error, skipping the reports after it", async () => {
    const seen: number[] = [];
    const task = runWorkerTask<object, number, number>(file, { progress: 4 }, async (p) => {
      seen.push(p);
      if (p === 2) throw new Error('database unavailable');
    });
    await expect(task.result).rejects.toThrow('database unavailable');
    expect(seen).toEqual([1, 2]);
  });

  it('stops the thread on abort', async () => {
    const task = runWorkerTask(file, { hang: true });
    await task.abort();
    await expect(task.result).rejects.toEqual(expect.any(WorkerTaskAborted));
  });
});
