import {
  BackendName,
  TrainOptions,
  categoryPopularityOrders,
  defaultTrainOptions,
  evaluateOrders,
  heldOutSlice,
  loadDataset,
  modelOrders,
  popularityOrders,
  rankingReport,
  selectBackend,
  trainTwoTower,
  tuningSplit,
  withoutImpressions,
} from '@newsroom/ml';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { machine } from './stats';
import { snapshotPilot } from './training-bench';

interface Trial {
  dimensions: number;
  learningRate: number;
  /** Validation NDCG@10 after each epoch. */
  ndcg: number[];
  seconds: number[];
}

/**
 * Chooses the model's dimensions, learning rate and epochs on validation data, never on the test
 * day: each combination of the grid is trained on the dataset's training days but the last
 * (`tuningSplit`) and judged on that last one after each epoch. The best, and the defaults, are
 * then trained on every training day and judged once on the held-out (test) day, with the
 * popularity and category × popularity baselines, overall and per slice. Without `dataset`, the
 * pilot world's 7 days are snapshotted first, as bench:training does.
 */
export async function benchTuning(args: {
  dataset?: string;
  backend: BackendName;
  epochs: number;
  dimensions: number[];
  learningRates: number[];
}) {
  console.log(`bench:tuning on ${machine()}, backend ${args.backend}`);
  const file = args.dataset ?? (await snapshotPilot());
  await selectBackend([args.backend]);
  const set = await loadDataset(createInterface({ input: createReadStream(file), crlfDelay: Infinity }));
  const tuning = tuningSplit(set);
  const validation = heldOutSlice(tuning);
  console.log(
    `tuning on the training days before ${tuning.header.validationFrom}; validation: ${validation.readers.length} readers of the last training day (${JSON.stringify(validation.protocols)})`,
  );
  const trials: Trial[] = [];
  for (const dimensions of args.dimensions) {
    for (const learningRate of args.learningRates) {
      const trial: Trial = { dimensions, learningRate, ndcg: [], seconds: [] };
      const { model } = await trainTwoTower(tuning, {
        ...defaultTrainOptions,
        dimensions,
        learningRate,
        epochs: args.epochs,
        validate: (candidate, encoder) => ({
          ndcgAt10: rankingReport(validation, modelOrders(candidate, encoder, validation)).ndcgAt10,
        }),
        onEpoch: (stats) => {
          trial.ndcg.push(stats.validation?.['ndcgAt10'] ?? NaN);
          trial.seconds.push(stats.seconds);
        },
      });
      model.dispose();
      trials.push(trial);
      console.log(
        `dimensions ${dimensions}, learning rate ${learningRate}: validation NDCG@10 by epoch ${trial.ndcg.map((v) => v.toFixed(4)).join(', ')} (${trial.seconds.map((s) => s.toFixed(0)).join(', ')} s)`,
      );
    }
  }
  const best = trials
    .flatMap((t) => t.ndcg.map((ndcg, e) => ({ ...t, epochs: e + 1, score: ndcg })))
    .reduce((a, b) => (b.score > a.score ? b : a));
  console.log(
    `chosen on validation: dimensions ${best.dimensions}, learning rate ${best.learningRate}, ${best.epochs} epoch(s) (NDCG@10 ${best.score.toFixed(4)})`,
  );

  const test = heldOutSlice(set);
  // The test day as judged with its impression logs, and without them (sampled-fresh, the
  // protocol the tuning day was judged under).
  const readsOnlySet = withoutImpressions(set);
  const testReadsOnly = heldOutSlice(readsOnlySet);
  const judged = async (name: string, options: Partial<TrainOptions>) => {
    const { model, encoder, epochs } = await trainTwoTower(set, { ...defaultTrainOptions, ...options });
    const report = evaluateOrders(test, modelOrders(model, encoder, test));
    const readsOnly = rankingReport(testReadsOnly, modelOrders(model, encoder, testReadsOnly)).ndcgAt10;
    model.dispose();
    const seconds = epochs.reduce((sum, e) => sum + e.seconds, 0);
    return { name: `${name} (${seconds.toFixed(0)} s)`, report, readsOnly };
  };
  const rows = [
    await judged(
      `defaults: ${defaultTrainOptions.dimensions} dimensions, ${defaultTrainOptions.learningRate}, ${defaultTrainOptions.epochs} epoch(s)`,
      {},
    ),
    await judged(`chosen: ${best.dimensions} dimensions, ${best.learningRate}, ${best.epochs} epoch(s)`, {
      dimensions: best.dimensions,
      learningRate: best.learningRate,
      epochs: best.epochs,
    }),
    {
      name: 'popularity',
      report: evaluateOrders(test, popularityOrders(set, test)),
      readsOnly: rankingReport(testReadsOnly, popularityOrders(readsOnlySet, testReadsOnly)).ndcgAt10,
    },
    {
      name: 'category × popularity',
      report: evaluateOrders(test, categoryPopularityOrders(set, test)),
      readsOnly: rankingReport(testReadsOnly, categoryPopularityOrders(readsOnlySet, testReadsOnly)).ndcgAt10,
    },
  ];
  console.log(
    `test day (${test.readers.length} readers, ${JSON.stringify(test.protocols)}; without impressions ${testReadsOnly.readers.length}): NDCG@10 overall, without impressions, and per slice`,
  );
  const slices = Object.keys(rows[0].report.slices);
  console.log(`| ranker | all | all, reads only | ${slices.join(' | ')} |`);
  console.log(`| --- | --- | --- | ${slices.map(() => '---').join(' | ')} |`);
  for (const { name, report, readsOnly } of rows) {
    console.log(
      `| ${name} | ${report.overall.ndcgAt10.toFixed(4)} | ${readsOnly.toFixed(4)} | ${slices.map((s) => report.slices[s]?.ndcgAt10.toFixed(4) ?? '—').join(' | ')} |`,
    );
  }
  for (const protocol of ['with impressions', 'reads only'] as const) {
    const [defaults, chosen, popularity, categoryPopularity] = rows.map((r) =>
      protocol === 'reads only' ? r.readsOnly : r.report.overall.ndcgAt10,
    );
    console.log(
      `${protocol}: chosen / defaults ${(chosen / defaults).toFixed(3)}; chosen / category × popularity ${(chosen / categoryPopularity).toFixed(2)} (target >= 1.25); chosen / popularity ${(chosen / popularity).toFixed(2)} (target >= 2)`,
    );
  }
}
