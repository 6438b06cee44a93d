import { allTopics } from '@newsroom/contracts';
import {
  DeadLetterRecord,
  decodeDeadLetter,
  emptySummary,
  matchesFilter,
  replayMessage,
  replayedFromHeader,
  resolveDeadLetterTopic,
  tallyDeadLetter,
} from './dead-letters';
import { deadLetterHeaders } from './message';

/** A dead letter as the consumer runner writes it. */
function deadLetter(
  offset: number,
  reason: string,
  failedAt: string,
  extra: Record<string, string> = {},
): DeadLetterRecord {
  return {
    topic: 'interactions.raw.dlq',
    partition: 0,
    offset: String(offset),
    key: 'user-1',
    value: Buffer.from('{"eventId":"e1"}'),
    headers: {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      [deadLetterHeaders.topic]: 'interactions.raw',
      [deadLetterHeaders.partition]: '2',
      [deadLetterHeaders.offset]: '41',
      [deadLetterHeaders.reason]: reason,
      [deadLetterHeaders.error]: 'connection terminated unexpectedly',
      [deadLetterHeaders.attempts]: '5',
      [deadLetterHeaders.failedAt]: failedAt,
      [deadLetterHeaders.consumerGroup]: 'ingestion',
      ...extra,
    },
  };
}

describe('dead letters', () => {
  it('accepts a topic by its own or its dead-letter name, and names the valid ones otherwise', () => {
    const expected = { sourceTopic: 'interactions.raw', deadLetterTopic: 'interactions.raw.dlq' };
    expect(resolveDeadLetterTopic('interactions.raw')).toEqual(expected);
    expect(resolveDeadLetterTopic('interactions.raw.dlq')).toEqual(expected);
    expect(() => resolveDeadLetterTopic('interactions.rwa')).toThrow(
      /unknown topic "interactions.rwa"; expected one of: articles.raw, interactions.raw,/,
    );
    expect(() => resolveDeadLetterTopic('interactions.raw.dlq.dlq')).toThrow(/unknown topic/);
    for (const t of allTopics) expect(resolveDeadLetterTopic(t.name).sourceTopic).toBe(t.name);
  });

  it('replays to the original topic with the same key, value and headers, the x-dlq-* ones replaced', () => {
    const record = deadLetter(7, 'handler-failed', '2026-11-24T08:00:00.000Z', {
      [replayedFromHeader]: 'interactions.raw.dlq:0:3',
    });
    const { topic, message } = replayMessage(record);
    expect(topic).toBe('interactions.raw');
    expect(message.key).toBe('user-1');
    expect(message.value).toBe(record.value);
    expect(message.headers).toEqual({
      traceparent: record.headers['traceparent'],
      // An earlier replay's mark is replaced by this one's.
      [replayedFromHeader]: 'interactions.raw.dlq:0:7',
    });
  });

  it('falls back to the topic whose dead letters these are, and refuses an original topic outside the contracts', () => {
    const record = deadLetter(1, 'undecodable', '2026-11-24T08:00:00.000Z');
    delete record.headers[deadLetterHeaders.topic];
    expect(replayMessage(record).topic).toBe('interactions.raw');
    const foreign = deadLetter(2, 'undecodable', '2026-11-24T08:00:00.000Z', {
      [deadLetterHeaders.topic]: 'somebody.else',
    });
    expect(() => replayMessage(foreign)).toThrow(
      'interactions.raw.dlq:0:2: x-dlq-original-topic names no contract topic ("somebody.else")',
    );
  });

  it('filters by reason and by a part of the error', () => {
    const failed = deadLetter(1, 'handler-failed', '2026-11-24T08:00:00.000Z');
    const invalid = deadLetter(2, 'schema-invalid', '2026-11-24T08:00:00.000Z', {
      [deadLetterHeaders.error]: 'dwellSeconds: Too small',
    });
    const select = (filter: Parameters<typeof matchesFilter>[1]) =>
      [failed, invalid].filter((r) => matchesFilter(r, filter)).map((r) => r.offset);
    expect(select({})).toEqual(['1', '2']);
    expect(select({ reason: 'handler-failed' })).toEqual(['1']);
    expect(select({ reason: 'no-such-reason' })).toEqual([]);
    expect(select({ errorContains: 'dwellSeconds' })).toEqual(['2']);
    expect(select({ reason: 'handler-failed', errorContains: 'dwellSeconds' })).toEqual([]);
  });

  it('summarises counts per reason and the oldest and newest failure', () => {
    const summary = emptySummary('interactions.raw');
    const noReason = deadLetter(4, '', 'not a date');
    for (const record of [
      deadLetter(1, 'handler-failed', '2026-11-24T08:00:00.000Z'),
      deadLetter(2, 'schema-invalid', '2026-11-23T23:59:59.999Z'),
      deadLetter(3, 'handler-failed', '2026-11-25T00:00:00.000+01:00'),
      noReason,
    ])
      tallyDeadLetter(summary, record);
    expect(summary).toEqual({
      topic: 'interactions.raw.dlq',
      sourceTopic: 'interactions.raw',
      count: 4,
      byReason: { 'handler-failed': 2, 'schema-invalid': 1, unknown: 1 },
      oldestFailedAt: '2026-11-23T23:59:59.999Z',
      newestFailedAt: '2026-11-25T00:00:00.000+01:00',
    });
  });

  it('decodes a fetched record with its value bytes unchanged', () => {
    const value = Buffer.from([0xff, 0x00, 0x7b]);
    const record = decodeDeadLetter('articles.raw.dlq', 0, {
      key: Buffer.from('art-1'),
      value,
      offset: '12',
      timestamp: '0',
      attributes: 0,
      headers: { [deadLetterHeaders.reason]: Buffer.from('undecodable'), absent: undefined },
    });
    expect(record).toEqual({
      topic: 'articles.raw.dlq',
      partition: 0,
      offset: '12',
      key: 'art-1',
      value,
      headers: { [deadLetterHeaders.reason]: 'undecodable' },
    });
  });
});
