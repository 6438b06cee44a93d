import { loadDataset } from './dataset';
import { heldOutSlice } from './held-out';
import { twoTopicDatasetLines } from './testing/two-topic-dataset';
import { tuningSplit } from './tuning-split';

describe('tuningSplit', () => {
  it('drops the held-out slice and validates on the training hours before it, without its impressions', async () => {
    const set = await loadDataset(twoTopicDatasetLines());
    const testFrom = Date.parse(set.header.validationFrom);
    // The two-topic world's training reads are in its first 10 hours, its test slice at 41 h.
    const tuning = tuningSplit(set, 35);
    const tuningFrom = testFrom - 35 * 3_600_000;
    expect(tuning.header.validationFrom).toBe(new Date(tuningFrom).toISOString());
    const trainingExamples = set.examples.validation.filter((v) => v === 0).length;
    expect(tuning.examples.count).toBe(trainingExamples);
    let validation = 0;
    for (let i = 0; i < tuning.examples.count; i++) {
      expect(tuning.examples.time[i]).toBeLessThan(testFrom);
      expect(tuning.examples.validation[i]).toBe(tuning.examples.time[i] >= tuningFrom ? 1 : 0);
      validation += tuning.examples.validation[i];
      // Columns stay aligned: the example's article is its reader's read at its history position.
      const reader = tuning.readers[tuning.examples.reader[i]];
      expect(reader.article[tuning.examples.history[i]]).toBe(tuning.examples.article[i]);
    }
    expect(validation).toBeGreaterThan(50);
    expect(validation).toBeLessThan(trainingExamples);

    const heldOut = heldOutSlice(tuning);
    expect(heldOut.readers.length).toBeGreaterThan(10);
    expect(heldOut.protocols['logged-impressions']).toBe(0);
    expect(heldOut.at).toBe(tuningFrom);
    for (const reader of heldOut.readers) {
      // Every judged read is one of the reader's reads of the tuning day, none of the test day's.
      const r = tuning.readers[tuning.readerIndex.get(reader.userId) ?? -1];
      const tuningDay = new Set<string>();
      r.time.forEach((t, k) => {
        if (t >= tuningFrom && t < testFrom) tuningDay.add(tuning.articles[r.article[k]].articleId);
      });
      for (const id of reader.read.keys()) expect(tuningDay.has(id)).toBe(true);
    }
    // The dataset itself is untouched.
    expect(set.readers.some((r) => r.shown.length > 0)).toBe(true);
    expect(Date.parse(set.header.validationFrom)).toBe(testFrom);
  });
});
