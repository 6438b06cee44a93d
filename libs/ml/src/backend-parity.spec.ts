import { BackendName, selectBackend } from './backend';
import { TrainingSet, loadDataset } from './dataset';
import { decodeModel, encodeModel } from './model-artifact';
import { backendsPresent } from './testing/backends';
import { wholeHistories } from './testing/whole-histories';
import { twoTopicDatasetLines } from './testing/two-topic-dataset';
import { defaultTrainOptions, trainTwoTower } from './train';

/**
 * The tolerance between backends: the same float32 products summed in another order (native
 * TensorFlow's Eigen, WebAssembly's SIMD, JavaScript) differ in the last bits, and a score is a sum
 * of a few hundred of them. A score may differ by 1e-4 plus 1e-4 of its size, no more.
 */
const scoreTolerance = (reference: number) => 1e-4 + 1e-4 * Math.abs(reference);

const options = {
  ...defaultTrainOptions,
  epochs: 3,
  batchSize: 32,
  dimensions: 16,
  learningRate: 0.02,
  seed: 5,
};

describe('one model on every backend present', () => {
  let present: BackendName[];
  let set: TrainingSet;

  beforeAll(async () => {
    present = await backendsPresent();
    set = await loadDataset(twoTopicDatasetLines());
  });

  /** Every reader's score for every article, by a model decoded from `bytes` on the current backend. */
  const scoresOf = (bytes: Buffer): number[][] => {
    const { model, encoder } = decodeModel(bytes);
    const readers = wholeHistories(set);
    const scores = model.score(encoder.readers(readers), encoder.articles(set.articles));
    try {
      return scores.arraySync();
    } finally {
      scores.dispose();
      model.dispose();
    }
  };

  it('is trained on each backend the services train on, loads on every backend, and scores the same there', async () => {
    // WebAssembly and plain JavaScript load everywhere; native TensorFlow where it is installed.
    expect(present).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    const trained = new Map<BackendName, { bytes: Buffer; firstLoss: number }>();
    // Plain JavaScript is the last resort, too slow to train even this (backend.spec.ts checks its gradients).
    for (const backend of present.filter((b) => b !== 'cpu')) {
      await selectBackend([backend]);
      const { model, encoder, epochs } = await trainTwoTower(set, options);
      expect(epochs[epochs.length - 1].loss).toBeLessThan(epochs[0].loss);
      trained.set(backend, { bytes: await encodeModel(model, encoder), firstLoss: epochs[0].loss });
      model.dispose();
    }
    // Training computes the same thing everywhere: the first epoch's loss within 1 %.
    const wasmLoss = trained.get('wasm')!.firstLoss;
    for (const [backend, { firstLoss }] of trained)
      expect({ backend, off: Math.abs(firstLoss - wasmLoss) / wasmLoss < 0.01 }).toEqual({
        backend,
        off: true,
      });

    for (const [origin, { bytes }] of trained) {
      await selectBackend([origin]);
      const reference = scoresOf(bytes);
      for (const backend of present) {
        await selectBackend([backend]);
        const scores = scoresOf(bytes);
        const outside = reference.flatMap((row, r) =>
          row.flatMap((score, a) =>
            Math.abs(scores[r][a] - score) > scoreTolerance(score)
              ? [{ r, a, score, got: scores[r][a] }]
              : [],
          ),
        );
        expect({ origin, backend, outside: outside.slice(0, 3) }).toEqual({ origin, backend, outside: [] });
      }
    }
  });
});
