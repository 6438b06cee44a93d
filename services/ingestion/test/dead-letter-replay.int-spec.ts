import { deadLetterTopicName, topicExamples, topics } from '@newsroom/contracts';
import {
  SerializedMessage,
  deadLetterHeaders,
  listDeadLetters,
  physicalTopic,
  replayDeadLetters,
  replayedFromHeader,
} from '@newsroom/messaging';
import { exactProducer, readAllMessages, topicSize } from '@newsroom/messaging/testing';
import { ServiceHandle, ServiceWorld, serviceWorld } from '@newsroom/platform/testing';
import { waitFor } from '@newsroom/testing';

/**
 * Dead letters of interactions.raw replayed to the running ingestion service (a real process on
 * real Kafka and PostgreSQL): the handler-failed record is stored once however often it is
 * replayed; the schema-invalid one, filtered out, never reaches the service.
 */
describe('dead-letter replay into ingestion', () => {
  let world: ServiceWorld;
  let ingestion: ServiceHandle;
  const source = topics.interactionsRaw.name;
  const dlq = deadLetterTopicName(source);
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const interaction = {
    ...topicExamples.interactionsRaw.value,
    eventId: 'replayed-1',
    userId: 'user-replay',
  };
  const invalid = JSON.stringify({ ...interaction, eventId: 'invalid-1', dwellSeconds: -4 });

  const physical = (logical: string) => physicalTopic(world.kafkaTopics.prefix, logical);
  const stored = async () =>
    (await world.query(ingestion, 'SELECT event_id FROM $schema.interactions')).map((r) => r.event_id);
  const replay = (options: { reason?: string; dryRun?: boolean } = {}) =>
    replayDeadLetters(world.kafkaTopics.kafka, world.publisher, {
      topicPrefix: world.kafkaTopics.prefix,
      topic: source,
      ...options,
    });
  /** Counted on /metrics once the service has consumed and stored (or skipped) a record. */
  const duplicatesCounted = async (n: number) => {
    const metrics = await (await fetch(`${ingestion.process.url}/metrics`)).text();
    return metrics.includes(
      `ingestion_events_total{kind="interaction",source="kafka",outcome="duplicate"} ${n}`,
    );
  };

  beforeAll(async () => {
    world = await serviceWorld();
    ingestion = await world.start('ingestion');
    // Two dead letters as the consumer runner writes them: original key, value and headers, plus its own.
    const deadLetter = (value: string, offset: string, reason: string, error: string, failedAt: string) => ({
      key: interaction.userId,
      value,
      headers: {
        traceparent,
        [deadLetterHeaders.topic]: source,
        [deadLetterHeaders.partition]: '1',
        [deadLetterHeaders.offset]: offset,
        [deadLetterHeaders.reason]: reason,
        [deadLetterHeaders.error]: error,
        [deadLetterHeaders.attempts]: reason === 'handler-failed' ? '5' : '1',
        [deadLetterHeaders.failedAt]: failedAt,
        [deadLetterHeaders.consumerGroup]: 'ingestion',
      },
    });
    const producer = exactProducer(world.kafkaTopics.kafka);
    await producer.connect();
    await producer.send({
      topic: physical(dlq),
      messages: [
        deadLetter(
          JSON.stringify(interaction),
          '17',
          'handler-failed',
          'connection terminated unexpectedly',
          '2026-11-24T08:00:00.000Z',
        ),
        deadLetter(invalid, '18', 'schema-invalid', 'dwellSeconds: Too small', '2026-11-24T09:30:00.000Z'),
      ],
    });
    await producer.disconnect();
  });
  afterAll(() => world?.tearDown());

  it('lists the dead letters per reason with the oldest and newest failure', async () => {
    const summaries = await listDeadLetters(world.kafkaTopics.kafka, {
      topicPrefix: world.kafkaTopics.prefix,
      includeRecords: true,
    });
    // Every dead-letter topic of the contracts exists in this world; only one holds anything.
    expect(summaries.map((s) => s.topic)).toContain(deadLetterTopicName(topics.modelPromoted.name));
    expect(summaries.filter((s) => s.count > 0)).toEqual([
      expect.objectContaining({
        topic: dlq,
        sourceTopic: source,
        count: 2,
        byReason: { 'handler-failed': 1, 'schema-invalid': 1 },
        oldestFailedAt: '2026-11-24T08:00:00.000Z',
        newestFailedAt: '2026-11-24T09:30:00.000Z',
      }),
    ]);
    const [summary] = summaries.filter((s) => s.count > 0);
    expect(summary.records?.map((r) => [r.offset, r.key, r.value.toString()])).toEqual([
      ['0', interaction.userId, JSON.stringify(interaction)],
      ['1', interaction.userId, invalid],
    ]);
  });

  it('counts on a dry run and publishes nothing', async () => {
    await expect(replay({ reason: 'handler-failed', dryRun: true })).resolves.toEqual({
      topic: dlq,
      read: 2,
      replayed: 1,
      byReason: { 'handler-failed': 1 },
      dryRun: true,
    });
    expect(await topicSize(world.kafkaTopics.kafka, physical(source))).toBe(0);
  });

  it('stores a replayed interaction once however often it is replayed, and leaves the filtered-out one alone', async () => {
    const first = await replay({ reason: 'handler-failed' });
    expect(first).toEqual({
      topic: dlq,
      read: 2,
      replayed: 1,
      byReason: { 'handler-failed': 1 },
      dryRun: false,
    });
    await waitFor('the replayed interaction stored', async () => (await stored()).length === 1, {
      timeoutMs: 60_000,
    });

    // Dead letters are kept: the same record is replayed again, and ingestion recognises its eventId.
    expect(await replay({ reason: 'handler-failed' })).toEqual(first);
    await waitFor('the second replay consumed', () => duplicatesCounted(1), { timeoutMs: 60_000 });
    expect(await stored()).toEqual([interaction.eventId]);

    const replayed = await readAllMessages(world.kafkaTopics.kafka, physical(source));
    expect(replayed).toHaveLength(2);
    for (const message of replayed) {
      expect(message.key).toBe(interaction.userId);
      expect(message.value?.toString()).toBe(JSON.stringify(interaction));
      expect(message.headers).toEqual({ traceparent, [replayedFromHeader]: `${dlq}:0:0` });
    }
    // The schema-invalid record was never sent: ingestion rejected nothing, and nothing new was dead-lettered.
    expect(await topicSize(world.kafkaTopics.kafka, physical(topics.ingestionRejected.name))).toBe(0);
    expect(await topicSize(world.kafkaTopics.kafka, physical(dlq))).toBe(2);
  });

  it('replays nothing when no record matches, and refuses an unknown topic naming the valid ones', async () => {
    await expect(replay({ reason: 'undecodable' })).resolves.toMatchObject({
      read: 2,
      replayed: 0,
      byReason: {},
    });
    await expect(
      replayDeadLetters(world.kafkaTopics.kafka, world.publisher, {
        topicPrefix: world.kafkaTopics.prefix,
        topic: 'interactions.row',
      }),
    ).rejects.toThrow(/unknown topic "interactions.row"; expected one of: .*interactions.raw/);
  });

  it('reads only up to the end the topic had when it started, so records dead-lettered again cannot loop', async () => {
    const before = await topicSize(world.kafkaTopics.kafka, physical(dlq));
    // As if the consumer failed every replayed record at once: it lands on the DLQ again, matching the filter.
    const failingAgain = {
      publishSerialized: (topic: string, messages: SerializedMessage[]) =>
        world.publisher.publishSerialized(
          dlq,
          messages.map((m) => ({
            ...m,
            headers: {
              ...m.headers,
              [deadLetterHeaders.topic]: topic,
              [deadLetterHeaders.reason]: 'handler-failed',
              [deadLetterHeaders.failedAt]: new Date().toISOString(),
            },
          })),
        ),
    };
    const result = await replayDeadLetters(world.kafkaTopics.kafka, failingAgain, {
      topicPrefix: world.kafkaTopics.prefix,
      topic: dlq,
      reason: 'handler-failed',
    });
    expect(result).toMatchObject({ read: before, replayed: 1 });
    expect(await topicSize(world.kafkaTopics.kafka, physical(dlq))).toBe(before + 1);
  });
});
