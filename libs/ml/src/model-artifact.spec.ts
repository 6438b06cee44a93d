import { ArtifactIntegrityError, ArtifactStore } from '@newsroom/artifacts';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ageBucketCount } from './article-age';
import { computeAttributionBaseline } from './attribution/attribution-baseline';
import { selectBackend } from './backend';
import { FeatureEncoder } from './feature-encoder';
import { ModelFormatError, decodeModel, encodeModel, loadModel, saveModel } from './model-artifact';
import { TwoTowerModel } from './two-tower';

const encoder = new FeatureEncoder({
  articleTokens: 4,
  historyReads: 3,
  readerTokens: 6,
  categories: ['politics', 'sports'],
  publishers: ['p1'],
});
const shape = {
  tokenBuckets: 64,
  categorySlots: encoder.categorySlots,
  publisherSlots: encoder.publisherSlots,
  articleTokens: 4,
  readerTokens: 6,
  dimensions: 8,
};
const articles = [
  { tokenHashes: [1, 2, 3], category: 'sports', publisher: 'p1' },
  { tokenHashes: [40, 41], category: 'politics', publisher: 'unknown' },
];
const readers = [{ recent: [{ article: articles[0], dwellSeconds: 30 }], categoryMix: { sports: 1 } }];
const scores = (model: TwoTowerModel, e: FeatureEncoder) =>
  model.score(e.readers(readers), e.articles(articles)).arraySync();

describe('model artifacts', () => {
  let dir: string;
  let store: ArtifactStore;
  beforeAll(async () => {
    await selectBackend(['cpu']);
    dir = await mkdtemp(join(tmpdir(), 'model-artifact-'));
    store = new ArtifactStore(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('round-trips weights, topology and encoder through the artifact store, named by sha256', async () => {
    const model = TwoTowerModel.create(shape, 5);
    const ref = await saveModel(store, model, encoder);
    expect(ref.uri).toBe(`artifact://models/${ref.sha256}.bin`);
    const loaded = await loadModel(store, ref);
    expect(loaded.model.shape).toEqual(shape);
    expect(loaded.encoder.config).toEqual(encoder.config);
    expect(scores(loaded.model, loaded.encoder)).toEqual(scores(model, encoder));
    // The same weights give the same bytes, so the same name.
    expect((await saveModel(store, loaded.model, loaded.encoder)).sha256).toBe(ref.sha256);
    model.dispose();
    loaded.model.dispose();
  });

  it('keeps the attribution baseline and lineage in the header; a file without them still loads', async () => {
    const model = TwoTowerModel.create(shape, 7);
    const attributionBaseline = computeAttributionBaseline(
      model,
      encoder,
      readers,
      articles,
      'training-data',
    );
    const lineage = { datasetId: 'a'.repeat(64), featureSchemaVersion: 1 };
    const described = decodeModel(await encodeModel(model, encoder, { attributionBaseline, lineage }));
    expect(described.attributionBaseline).toEqual(attributionBaseline);
    expect(described.lineage).toEqual(lineage);
    expect(scores(described.model, described.encoder)).toEqual(scores(model, encoder));
    // What training wrote before baselines existed: the same header without them.
    const bare = decodeModel(await encodeModel(model, encoder));
    expect(bare.attributionBaseline).toBeUndefined();
    expect(bare.lineage).toBeUndefined();
    expect(scores(bare.model, bare.encoder)).toEqual(scores(model, encoder));
    for (const loaded of [model, described.model, bare.model]) loaded.dispose();
  });

  it('loads a file written before the freshness term with no preference for any age', async () => {
    const model = TwoTowerModel.create(shape, 8);
    tf.tidy(() => model.weights.freshness.assign(tf.fill([ageBucketCount, 1], 0.5)));
    const bytes = await encodeModel(model, encoder);
    const written = decodeModel(bytes).model;
    expect(Array.from(written.freshnessTerms(Int32Array.of(0)))).toEqual([0.5]);
    // The same file as one written before: its header without the last weight, nor its values.
    const length = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.subarray(4, 4 + length).toString('utf8'));
    expect(header.weights.at(-1).name).toBe('freshness');
    expect(header.format).toBe('newsroom-model/2');
    header.weights.pop();
    header.format = 'newsroom-model/1';
    const json = Buffer.from(JSON.stringify(header));
    const padded = Buffer.concat([json, Buffer.alloc((4 - (json.length % 4)) % 4, 0x20)]);
    const start = 4 + length + ((4 - (length % 4)) % 4);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32LE(padded.length, 0);
    const older = Buffer.concat([prefix, padded, bytes.subarray(start, bytes.length - ageBucketCount * 4)]);
    const loaded = decodeModel(older);
    expect(Array.from(loaded.model.freshnessTerms(Int32Array.of(0, 5, ageBucketCount - 1)))).toEqual([
      0, 0, 0,
    ]);
    expect(scores(loaded.model, loaded.encoder)).toEqual(scores(model, encoder));
    for (const m of [model, written, loaded.model]) m.dispose();
  });

  it('refuses a file whose bytes changed, and says what is wrong with a malformed one', async () => {
    const model = TwoTowerModel.create(shape, 6);
    const ref = await saveModel(store, model, encoder);
    const bytes = await encodeModel(model, encoder);
    model.dispose();
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(store.path(ref.uri), bytes);
    await expect(loadModel(store, ref)).rejects.toThrow(ArtifactIntegrityError);

    expect(() => decodeModel(bytes.subarray(0, bytes.length - 8))).toThrow(
      /model weight freshness: truncated/,
    );
    const header = Buffer.from(JSON.stringify({ format: 'newsroom-model/0' }));
    const wrong = Buffer.concat([Buffer.alloc(4), header]);
    wrong.writeUInt32LE(header.length, 0);
    expect(() => decodeModel(wrong)).toThrow(ModelFormatError);
    expect(() => decodeModel(wrong)).toThrow(/format/);
  });
});
