import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  it('runs again at once while a run reports more work, never overlapping, and stop waits for the run', async () => {
    let active = 0;
    let maxActive = 0;
    const runs: number[] = [];
    let release!: () => void;
    const lastRunStarted = new Promise<void>((resolve) => (release = resolve));
    const task = new PeriodicTask('test', 60_000, async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      runs.push(runs.length);
      await new Promise((resolve) => setImmediate(resolve));
      active -= 1;
      if (runs.length === 3) release();
      return runs.length < 3;
    });
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      task.start();
      jest.advanceTimersByTime(60_000);
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        jest.advanceTimersByTime(0);
      }
      await lastRunStarted;
      await task.stop();
      expect(runs).toEqual([0, 1, 2]);
      expect(maxActive).toBe(1);
      expect(active).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('survives a failing run', async () => {
    let calls = 0;
    const second = new Promise<void>((resolve) => {
      const task = new PeriodicTask('test', 1, async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        resolve();
        void task.stop();
      });
      task.start();
    });
    await second;
    expect(calls).toBe(2);
  });
});
