import { ArtifactRef, ArtifactStore } from '@newsroom/artifacts';
import { z } from 'zod';
import { ageBucketCount } from './article-age';
import { AttributionBaseline } from './attribution/attribution-baseline';
import { EncoderConfig, FeatureEncoder } from './feature-encoder';
import { TwoTowerModel, TwoTowerShape, WeightValues, weightNames } from './two-tower';

/**
 * A model file: a 4-byte little-endian length, that many bytes of JSON header (format, topology,
 * feature-encoder configuration, where each weight lies), zero padding to a multiple of 4, then
 * every weight as little-endian float32. One self-describing file, named by its sha256 in the
 * artifact store and verified on load. The header may also hold the model's attribution baseline
 * and lineage (files written before them load without), and files written before the freshness
 * weight load with no preference for any age.
 */
export const modelFormat = 'newsroom-model/2';
/**
 * Files this code reads: /1 files have no freshness weight (they load with none). Code that reads
 * only /1 refuses a /2 file by its format, naming it, rather than by a weight it does not know.
 */
const readableFormats = ['newsroom-model/1', modelFormat] as const;

const ModelHeader = z.object({
  format: z.enum(readableFormats),
  shape: z.object({
    tokenBuckets: z.number().int().positive(),
    categorySlots: z.number().int().positive(),
    publisherSlots: z.number().int().positive(),
    articleTokens: z.number().int().positive(),
    readerTokens: z.number().int().positive(),
    dimensions: z.number().int().positive(),
  }),
  encoder: z.object({
    articleTokens: z.number().int().positive(),
    historyReads: z.number().int().positive(),
    readerTokens: z.number().int().positive(),
    categories: z.array(z.string()),
    publishers: z.array(z.string()),
  }),
  weights: z.array(
    z.object({
      name: z.enum(weightNames),
      shape: z.array(z.number().int().positive()),
      /** Offset in float32 values from the start of the weight data. */
      offset: z.number().int().min(0),
    }),
  ),
  attributionBaseline: AttributionBaseline.optional(),
  lineage: z
    .object({ datasetId: z.string().min(1), featureSchemaVersion: z.number().int().positive() })
    .optional(),
});

/** What a model was trained on: its dataset and the feature schema it reads. */
export type ModelLineage = NonNullable<z.infer<typeof ModelHeader>['lineage']>;

/** What a model file says about its model besides the weights. */
export interface ModelMetadata {
  attributionBaseline?: AttributionBaseline;
  lineage?: ModelLineage;
}

export class ModelFormatError extends Error {
  override readonly name = 'ModelFormatError';
}

export interface LoadedModel extends ModelMetadata {
  model: TwoTowerModel;
  encoder: FeatureEncoder;
}

export async function encodeModel(
  model: TwoTowerModel,
  encoder: FeatureEncoder,
  metadata: ModelMetadata = {},
): Promise<Buffer> {
  const values = await model.weightValues();
  let offset = 0;
  const weights = weightNames.map((name) => {
    const entry = { name, shape: values[name].shape, offset };
    offset += values[name].values.length;
    return entry;
  });
  const header: z.infer<typeof ModelHeader> = {
    format: modelFormat,
    shape: model.shape,
    encoder: encoder.config,
    weights,
    ...metadata,
  };
  const json = Buffer.from(JSON.stringify(header));
  const headerBytes = 4 + json.length + ((4 - (json.length % 4)) % 4);
  const bytes = Buffer.alloc(headerBytes + offset * 4);
  bytes.writeUInt32LE(json.length, 0);
  json.copy(bytes, 4);
  for (const { name, offset: at } of weights) {
    const data = values[name].values;
    for (let i = 0; i < data.length; i++) bytes.writeFloatLE(data[i], headerBytes + (at + i) * 4);
  }
  return bytes;
}

export function decodeModel(bytes: Buffer): LoadedModel {
  if (bytes.length < 4) throw new ModelFormatError('not a model file: shorter than its header length');
  const length = bytes.readUInt32LE(0);
  if (4 + length > bytes.length) throw new ModelFormatError('not a model file: truncated header');
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.subarray(4, 4 + length).toString('utf8'));
  } catch {
    throw new ModelFormatError('not a model file: the header is not JSON');
  }
  const parsed = ModelHeader.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelFormatError(`model header: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const header = parsed.data;
  const dataStart = 4 + length + ((4 - (length % 4)) % 4);
  const values = {} as WeightValues;
  for (const { name, shape, offset } of header.weights) {
    const count = shape.reduce((a, b) => a * b, 1);
    const from = dataStart + offset * 4;
    if (from + count * 4 > bytes.length) throw new ModelFormatError(`model weight ${name}: truncated`);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = bytes.readFloatLE(from + i * 4);
    values[name] = { shape, values: data };
  }
  // Files written before the freshness term: no preference for any age, as they were trained.
  values.freshness ??= { shape: [ageBucketCount, 1], values: new Float32Array(ageBucketCount) };
  const missing = weightNames.filter((name) => !values[name]);
  if (missing.length > 0) throw new ModelFormatError(`model file lacks weights: ${missing.join(', ')}`);
  const shape: TwoTowerShape = header.shape;
  const encoderConfig: EncoderConfig = header.encoder;
  return {
    model: TwoTowerModel.fromWeights(shape, values),
    encoder: new FeatureEncoder(encoderConfig),
    ...(header.attributionBaseline ? { attributionBaseline: header.attributionBaseline } : {}),
    ...(header.lineage ? { lineage: header.lineage } : {}),
  };
}

/** Writes the model to the artifact store (kind `models`), named by its sha256. */
export async function saveModel(
  store: ArtifactStore,
  model: TwoTowerModel,
  encoder: FeatureEncoder,
  metadata: ModelMetadata = {},
): Promise<ArtifactRef> {
  const bytes = await encodeModel(model, encoder, metadata);
  return store.write('models', 'bin', async (sink) => {
    await sink.write(bytes);
  });
}

/** Reads a model from the artifact store; the bytes must hash to the reference's sha256. */
export async function loadModel(
  store: ArtifactStore,
  ref: Pick<ArtifactRef, 'uri' | 'sha256'>,
): Promise<LoadedModel> {
  return decodeModel(await store.read(ref));
}
