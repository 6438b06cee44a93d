import { parseMessage, topics } from '@newsroom/contracts';
import { servedPayload } from './served-log';

const body = JSON.stringify({
  userId: 'reader-1',
  modelVersion: 'v1',
  generatedAt: '2026-12-04T07:00:00.000Z',
  source: 'personalized',
  items: [
    { articleId: 'art-1', rank: 1, score: 0.9, origin: 'pinned' },
    { articleId: 'art-3', rank: 2, score: 0.7, origin: 'list' },
  ],
});

const parsed = (payload: string) =>
  parseMessage(
    topics.recommendationsServed,
    'reader-1',
    {
      eventId: '0b7a3c1e-6f51-4a8e-9d3c-2f4b5a6c7d8e',
      type: topics.recommendationsServed.name,
      schemaVersion: 1,
      occurredAt: '2026-12-04T08:00:00.000Z',
      producer: 'serving',
      payload: JSON.parse(payload),
    },
    'served record',
  ).payload;

describe('servedPayload', () => {
  it('is the response with the request, the time served, the lineage and what was passed over', () => {
    const payload = servedPayload(
      'req-1',
      'africa',
      '2026-12-04T08:00:00.000Z',
      {
        datasetId: 'a'.repeat(64),
        featureSchemaVersion: 2,
        filtered: [
          { articleId: 'art-2', reason: 'editorial-cap', rule: 'publisher:daily-planet' },
          { articleId: 'art-4', reason: 'flagged' },
        ],
      },
      body,
    );
    expect(parsed(payload)).toEqual({
      ...JSON.parse(body),
      requestId: 'req-1',
      region: 'africa',
      servedAt: '2026-12-04T08:00:00.000Z',
      datasetId: 'a'.repeat(64),
      featureSchemaVersion: 2,
      filtered: [
        { articleId: 'art-2', reason: 'editorial-cap', rule: 'publisher:daily-planet' },
        { articleId: 'art-4', reason: 'flagged' },
      ],
    });
  });

  it('leaves out what it does not know: no region asked for, a list without lineage, a fallback', () => {
    const payload = servedPayload(
      'req-2',
      undefined,
      '2026-12-04T08:00:00.000Z',
      { datasetId: undefined, featureSchemaVersion: undefined, filtered: [] },
      body,
    );
    const served = parsed(payload);
    expect(served).not.toHaveProperty('region');
    expect(served).not.toHaveProperty('datasetId');
    expect(served).not.toHaveProperty('featureSchemaVersion');
    expect(served.filtered).toEqual([]);
  });
});
