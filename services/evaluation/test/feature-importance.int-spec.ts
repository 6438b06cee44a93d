import { ArtifactStore } from '@newsroom/artifacts';
import { featureGroups, newEvent, topics } from '@newsroom/contracts';
import * as tf from '@tensorflow/tfjs';
import {
  FeatureEncoder,
  ageBucketCount,
  GroupAttributor,
  TwoTowerModel,
  heldOutSlice,
  loadDataset,
  saveModel,
  selectBackend,
  trainingBaseline,
} from '@newsroom/ml';
import { twoTopicDatasetLines } from '@newsroom/ml/testing';
import { Json, ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';

/**
 * The candidate's global feature importance on `model.evaluated`: the mean |Shapley value| of each
 * feature group over held-out pairs of what it lists, measured from the baseline its file carries;
 * a file written before baselines gets one computed from its dataset, the same training would have
 * written.
 */
describe('evaluation: feature importance', () => {
  let world: ServiceWorld;
  let evaluation: ServiceHandle;

  beforeAll(async () => {
    await selectBackend(['wasm', 'cpu']);
    world = await serviceWorld();
    evaluation = await world.start('evaluation', { ML_BACKENDS: 'wasm,cpu' });
  }, 120_000);

  afterAll(() => world?.tearDown(), 60_000);

  it('publishes each candidate’s importance per group, with its sample and baseline score', async () => {
    const store = new ArtifactStore(world.artifactDir);
    const lines = twoTopicDatasetLines({ readers: 40 });
    const dataset = await store.write('datasets', 'jsonl', async (sink) => {
      await sink.write(lines.join('\n') + '\n');
    });
    const set = await loadDataset(lines);
    const encoder = FeatureEncoder.fromArticles(set.articles, {
      articleTokens: 8,
      historyReads: 5,
      readerTokens: 16,
    });
    const model = TwoTowerModel.create(
      {
        tokenBuckets: set.header.tokenBuckets,
        categorySlots: encoder.categorySlots,
        publisherSlots: encoder.publisherSlots,
        articleTokens: 8,
        readerTokens: 16,
        dimensions: 8,
      },
      21,
    );
    // Ages move its scores: a term per age bucket, as training learns them.
    tf.tidy(() =>
      model.weights.freshness.assign(tf.range(0, ageBucketCount).mul(0.02).reshape([ageBucketCount, 1])),
    );
    const fromDataset = trainingBaseline(model, encoder, set);
    // A baseline of a few readers and articles: not the one the evaluation would compute itself.
    const carried = trainingBaseline(model, encoder, set, 3);
    const withBaseline = await saveModel(store, model, encoder, { attributionBaseline: carried });
    const withoutBaseline = await saveModel(store, model, encoder);
    const expectedScore = (baseline: typeof carried) => {
      const attributor = new GroupAttributor(model, baseline);
      const score = attributor.baselineScore;
      attributor.dispose();
      return score;
    };
    const scores = { carried: expectedScore(carried), fromDataset: expectedScore(fromDataset) };
    model.dispose();
    expect(Math.abs(scores.carried - scores.fromDataset)).toBeGreaterThan(1e-4);

    const trained = (modelVersion: string, artifact: { uri: string; sha256: string }) => ({
      key: modelVersion,
      value: newEvent(
        topics.modelTrained.name,
        {
          modelVersion,
          runId: `run-${modelVersion}`,
          artifact: { uri: artifact.uri, sha256: artifact.sha256 },
          datasetId: dataset.sha256,
          parentVersion: null,
          codeVersion: 'tests',
          params: {},
          metrics: {},
        },
        'tests',
      ),
    });
    await world.publish(topics.modelTrained, [
      trained('v-carried', withBaseline),
      trained('v-older-file', withoutBaseline),
    ]);
    const evaluated = await waitFor(
      'both candidates evaluated',
      async () => {
        const events: Json[] = await world.readAll(topics.modelEvaluated.name);
        return events.length >= 2
          ? new Map(events.map((e) => [e.payload.modelVersion, e.payload]))
          : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );

    const heldOut = heldOutSlice(set);
    const pairs = heldOut.readers.reduce((n, r) => n + Math.min(10, r.candidates.length), 0);
    for (const [version, baselineScore] of [
      ['v-carried', scores.carried],
      ['v-older-file', scores.fromDataset],
    ] as const) {
      const { featureImportance } = evaluated.get(version);
      expect(featureImportance.sample).toBe(Math.min(2_000, pairs));
      expect(featureImportance.baselineScore).toBeCloseTo(baselineScore, 6);
      expect(Object.keys(featureImportance.values).sort()).toEqual([...featureGroups].sort());
      for (const group of featureGroups) expect(featureImportance.values[group]).toBeGreaterThan(0);
      // The stored report holds the same.
      const report = (await evaluation.get(`/v1/evaluations/${version}`)).body;
      expect(report.featureImportance).toEqual(featureImportance);
    }
  }, 180_000);
});
