import { ServedBatchWriter, readServedBatch } from './served-log-protocol';

describe('served batches', () => {
  it('carry each response to the audit thread as it was recorded, in order', () => {
    const writer = new ServedBatchWriter();
    expect(writer.take()).toBeUndefined();
    // Reader ids are the caller's: quotes, a newline, non-ASCII all survive; JSON has no raw newline.
    const responses: [string, string, string][] = [
      ['reader-1', '2026-12-05T08:00:00.000Z', JSON.stringify({ userId: 'reader-1', items: [] })],
      ['a "quoted"\nid', '2026-12-05T08:00:00.001Z', JSON.stringify({ note: 'line\nbreak' })],
      ['lecteur-é', '2026-12-05T08:00:00.002Z', '{}'],
    ];
    for (const response of responses) writer.add(...response);
    expect(writer.size).toBe(3);
    const batch = writer.take()!;
    expect(writer.size).toBe(0);
    expect(readServedBatch(batch)).toEqual(responses);
    writer.add('reader-2', '2026-12-05T08:00:01.000Z', '{"n":2}');
    expect(readServedBatch(writer.take()!)).toEqual([['reader-2', '2026-12-05T08:00:01.000Z', '{"n":2}']]);
  });
});
