import { TrainingSet } from './dataset';

const HOUR = 3_600_000;

/**
 * The dataset as hyperparameters are chosen on it, never seeing its held-out (test) slice: that
 * slice's examples are dropped, and the last `hours` of the training split before it become the
 * validation split in their place. Its readers' impression logs belong to the test slice, so they
 * are dropped too: the tuning slice is judged under the `sampled-fresh` protocol.
 */
export function tuningSplit(set: TrainingSet, hours = 24): TrainingSet {
  const testFrom = Date.parse(set.header.validationFrom);
  const tuningFrom = testFrom - hours * HOUR;
  const kept: number[] = [];
  for (let i = 0; i < set.examples.count; i++) if (!set.examples.validation[i]) kept.push(i);
  const { examples } = set;
  return {
    ...set,
    header: { ...set.header, validationFrom: new Date(tuningFrom).toISOString() },
    readers: withoutImpressions(set).readers,
    examples: {
      count: kept.length,
      reader: Int32Array.from(kept, (i) => examples.reader[i]),
      article: Int32Array.from(kept, (i) => examples.article[i]),
      dwell: Float32Array.from(kept, (i) => examples.dwell[i]),
      time: Float64Array.from(kept, (i) => examples.time[i]),
      history: Int32Array.from(kept, (i) => examples.history[i]),
      validation: Uint8Array.from(kept, (i) => (examples.time[i] >= tuningFrom ? 1 : 0)),
      categoryMix: kept.map((i) => examples.categoryMix[i]),
      priorReads: Int32Array.from(kept, (i) => examples.priorReads[i]),
      region: kept.map((i) => examples.region[i]),
    },
  };
}

/** The dataset as a producer without impression logs would have it: judged under `sampled-fresh`. */
export function withoutImpressions(set: TrainingSet): TrainingSet {
  return { ...set, readers: set.readers.map((reader) => ({ ...reader, shown: new Int32Array(0) })) };
}
