import { runCommandLine } from '@newsroom/config';
import { benchIngestion } from './ingestion-bench';

/** Benchmarks: each prints its figures (medians of several runs). `bench <name> [--n N] [--runs R]`. */
async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const flag = (flagName: string, fallback: number) => {
    const at = rest.indexOf(`--${flagName}`);
    if (at < 0) return fallback;
    const value = Number(rest[at + 1]);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`--${flagName} expects a positive whole number`);
    return value;
  };
  switch (name) {
    case 'ingestion':
      await benchIngestion({
        n: flag('n', 300_000),
        runs: flag('runs', 3),
        partitions: flag('partitions', 6),
      });
      return 0;
    default:
      console.error('usage: bench ingestion [--n 300000] [--runs 3] [--partitions 6]');
      return 2;
  }
}

runCommandLine(main);
