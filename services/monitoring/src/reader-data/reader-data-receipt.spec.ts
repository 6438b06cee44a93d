import { ReaderDataConfirmation, readerDataReceipt } from './reader-data-receipt';

describe('readerDataReceipt', () => {
  const request = {
    requestId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    userId: 'u-1',
    action: 'erasure' as const,
    requestedAt: '2026-12-04T08:00:00.000Z',
    actor: 'dpo',
    expectedInstances: ['serving@a', 'serving@b'],
  };
  const confirmation = (
    holder: ReaderDataConfirmation['holder'],
    confirmedAt: string,
    instance = `${holder}@x`,
  ): ReaderDataConfirmation => ({ holder, instance, records: 1, part: null, confirmedAt });

  it('lists every holder, each expected serving replica apart, pending until it confirms', () => {
    const receipt = readerDataReceipt(request, [
      confirmation('ingestion', '2026-12-04T08:00:01.000Z'),
      confirmation('serving', '2026-12-04T08:00:02.000Z', 'serving@b'),
    ]);
    expect(receipt.complete).toBe(false);
    expect(receipt.completedAt).toBeNull();
    expect(receipt.holders).toEqual([
      { holder: 'ingestion', instance: 'ingestion@x', records: 1, confirmedAt: '2026-12-04T08:00:01.000Z' },
      { holder: 'feature-store', instance: null, records: null, confirmedAt: null },
      { holder: 'batch-scoring', instance: null, records: null, confirmedAt: null },
      { holder: 'serving', instance: 'serving@a', records: null, confirmedAt: null },
      { holder: 'serving', instance: 'serving@b', records: 1, confirmedAt: '2026-12-04T08:00:02.000Z' },
      { holder: 'monitoring', instance: null, records: null, confirmedAt: null },
    ]);
  });

  it('is complete at the last expected confirmation; a replica started since is listed, the first confirmation kept', () => {
    const receipt = readerDataReceipt(request, [
      confirmation('ingestion', '2026-12-04T08:00:01.000Z'),
      confirmation('feature-store', '2026-12-04T08:00:03.000Z'),
      confirmation('feature-store', '2026-12-04T08:00:02.000Z', 'feature-store@y'),
      confirmation('batch-scoring', '2026-12-04T08:00:01.500Z'),
      confirmation('serving', '2026-12-04T08:00:02.000Z', 'serving@a'),
      confirmation('serving', '2026-12-04T08:00:04.000Z', 'serving@b'),
      confirmation('serving', '2026-12-04T08:00:05.000Z', 'serving@c'),
      confirmation('monitoring', '2026-12-04T08:00:01.000Z'),
    ]);
    expect(receipt.complete).toBe(true);
    expect(receipt.completedAt).toBe('2026-12-04T08:00:05.000Z');
    expect(receipt.holders.find((h) => h.holder === 'feature-store')).toMatchObject({
      instance: 'feature-store@y',
      confirmedAt: '2026-12-04T08:00:02.000Z',
    });
    expect(receipt.holders.filter((h) => h.holder === 'serving').map((h) => h.instance)).toEqual([
      'serving@a',
      'serving@b',
      'serving@c',
    ]);
  });

  it('waits for a serving replica when none was live at the request', () => {
    const receipt = readerDataReceipt({ ...request, expectedInstances: [] }, []);
    expect(receipt.holders.filter((h) => h.holder === 'serving')).toEqual([
      { holder: 'serving', instance: null, records: null, confirmedAt: null },
    ]);
  });
});
