import { runCommandLine } from '@newsroom/config';
import { mlBackendEnv } from '@newsroom/ml';
import { benchAudit } from './audit-bench';
import { benchFeatures } from './features-bench';
import { benchIngestion } from './ingestion-bench';
import { benchMonitoring } from './monitoring-bench';
import { benchPipeline } from './pipeline-bench';
import { benchScoring } from './scoring-bench';
import { benchServing } from './serving-bench';
import { benchTakedown } from './takedown-bench';
import { benchTraining } from './training-bench';
import { benchTuning } from './tuning-bench';

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
  const option = (optionName: string): string | undefined => {
    const at = rest.indexOf(`--${optionName}`);
    if (at < 0) return undefined;
    if (!rest[at + 1] || rest[at + 1].startsWith('--')) throw new Error(`--${optionName} expects a value`);
    return rest[at + 1];
  };
  switch (name) {
    case 'ingestion':
      await benchIngestion({
        n: flag('n', 300_000),
        runs: flag('runs', 3),
        partitions: flag('partitions', 6),
      });
      return 0;
    case 'pipeline':
      await benchPipeline({
        n: flag('n', 200_000),
        runs: flag('runs', 3),
        partitions: flag('partitions', 6),
      });
      return 0;
    case 'features':
      await benchFeatures({
        n: flag('n', 300_000),
        runs: flag('runs', 3),
        partitions: flag('partitions', 6),
        parts: rest.includes('--only-updates')
          ? ['updates']
          : rest.includes('--only-snapshot')
            ? ['snapshot']
            : ['updates', 'snapshot'],
      });
      return 0;
    case 'training':
      await benchTraining({
        epochs: flag('epochs', 1),
        // Parsed as ML_BACKENDS is: comma-separated backend names, in order.
        backends: mlBackendEnv.ML_BACKENDS.parse(option('backends') ?? 'tensorflow,wasm'),
        dataset: option('dataset'),
        keepDataset: option('keep-dataset'),
      });
      return 0;
    case 'tuning': {
      const numbers = (optionName: string, fallback: string) =>
        (option(optionName) ?? fallback).split(',').map((text) => {
          const value = Number(text);
          if (!(value > 0)) throw new Error(`--${optionName} expects positive numbers, comma-separated`);
          return value;
        });
      const [backend] = mlBackendEnv.ML_BACKENDS.parse(option('backend') ?? 'tensorflow');
      await benchTuning({
        dataset: option('dataset'),
        backend,
        epochs: flag('epochs', 3),
        dimensions: numbers('dimensions', '32,64'),
        learningRates: numbers('learning-rates', '0.0025,0.005,0.01'),
      });
      return 0;
    }
    case 'monitoring':
      await benchMonitoring({
        n: flag('n', 1_100_000),
        runs: flag('runs', 3),
        partitions: flag('partitions', 6),
      });
      return 0;
    case 'scoring':
      await benchScoring({
        runs: flag('runs', 3),
        fresh: flag('fresh', 20),
        backends: mlBackendEnv.ML_BACKENDS.parse(option('backends') ?? 'tensorflow,wasm'),
      });
      return 0;
    case 'serving':
      await benchServing({
        runs: flag('runs', 3),
        seconds: flag('seconds', 10),
        readers: flag('readers', 15_000),
      });
      return 0;
    case 'takedown':
      await benchTakedown({ flags: flag('flags', 20) });
      return 0;
    case 'audit':
      await benchAudit({
        runs: flag('runs', 3),
        responses: flag('responses', 100_000),
        partitions: flag('partitions', 6),
        readers: flag('readers', 15_000),
        logins: flag('logins', 2),
        days: flag('days', 30),
        queries: flag('queries', 1_000),
      });
      return 0;
    default:
      console.error(
        'usage: bench ingestion|features [--n 300000] [--runs 3] [--partitions 6] [--only-updates|--only-snapshot] | training [--epochs 1] [--backends tensorflow,wasm] [--dataset FILE] [--keep-dataset FILE] | tuning [--dataset FILE] [--backend tensorflow] [--epochs 3] [--dimensions 32,64] [--learning-rates 0.0025,0.005,0.01] | pipeline [--n 200000] [--runs 3] [--partitions 6] | monitoring [--n 1100000] [--runs 3] [--partitions 6] | scoring [--runs 3] [--fresh 20] [--backends tensorflow,wasm] | serving [--runs 3] [--seconds 10] [--readers 15000] | takedown [--flags 20] | audit [--runs 3] [--responses 100000] [--partitions 6] [--readers 15000] [--logins 2] [--days 30] [--queries 1000]',
      );
      return 2;
  }
}

runCommandLine(main);
