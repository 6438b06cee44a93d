import { TrainingSet } from '../dataset';
import { ReaderProfile } from '../feature-encoder';

/** Every reader of a dataset with their whole history as recent reads (latest first), no category mix. */
export function wholeHistories(set: TrainingSet): ReaderProfile[] {
  return set.readers.map((reader) => ({
    recent: Array.from(reader.article)
      .reverse()
      .map((a, k) => ({ article: set.articles[a], dwellSeconds: reader.dwell[reader.dwell.length - 1 - k] })),
    categoryMix: {},
  }));
}
