import { TopicDefinition, deadLetterTopicName } from '@newsroom/contracts';
import { Admin, Kafka } from 'kafkajs';
import { physicalTopic } from './kafka-client';
import { TopicSettings } from './messaging-config';

export interface TopicPlan {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

/**
 * The topics a deployment needs: each contract topic and its dead-letter topic. Compacted topics
 * keep the latest value per key forever; the others are deleted after the retention period.
 * Broker auto-creation stays off, so a typo in a topic name fails instead of creating a topic.
 */
export function planTopics(
  definitions: readonly TopicDefinition[],
  settings: TopicSettings,
  prefix = '',
): TopicPlan[] {
  return definitions.flatMap((definition) => {
    const main: TopicPlan = {
      name: physicalTopic(prefix, definition.name),
      partitions: settings.partitions,
      replicationFactor: settings.replicationFactor,
      config: definition.compacted
        ? { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' }
        : { 'cleanup.policy': 'delete', 'retention.ms': String(settings.retentionMs) },
    };
    const deadLetters: TopicPlan = {
      name: physicalTopic(prefix, deadLetterTopicName(definition.name)),
      partitions: 1,
      replicationFactor: settings.replicationFactor,
      // Dead letters wait for a human: keep them longer than the data itself.
      config: {
        'cleanup.policy': 'delete',
        'retention.ms': String(Math.max(settings.retentionMs, 30 * 24 * 3600 * 1000)),
      },
    };
    return [main, deadLetters];
  });
}

/** Creates the planned topics that do not exist yet; returns the names it created. Idempotent. */
export async function ensureTopics(kafka: Kafka, plans: TopicPlan[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = plans.filter((p) => !existing.has(p.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((p) => ({
          topic: p.name,
          numPartitions: p.partitions,
          replicationFactor: p.replicationFactor,
          configEntries: Object.entries(p.config).map(([name, value]) => ({ name, value })),
        })),
      });
      await waitForLeaders(admin, missing);
    }
    return missing.map((p) => p.name);
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, names: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = names.filter((n) => existing.has(n));
    if (present.length > 0) await admin.deleteTopics({ topics: present });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until every partition of the new topics has a leader. kafkajs' own wait gives up when the
 * broker briefly answers "unknown topic" for a topic it has just created; this one polls through it.
 */
async function waitForLeaders(admin: Admin, plans: TopicPlan[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no metadata yet';
  while (Date.now() < deadline) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: plans.map((p) => p.name) });
      const ready = plans.every((plan) => {
        const topic = topics.find((t) => t.name === plan.name);
        return topic?.partitions.length === plan.partitions && topic.partitions.every((p) => p.leader >= 0);
      });
      if (ready) return;
      lastError = 'partitions without a leader';
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`topics not ready after ${timeoutMs} ms: ${lastError}`);
}

export interface PartitionLag {
  partition: number;
  /** The group's next offset: the committed one, or the partition's start if it never committed. */
  committed: number;
  /** Records after it: end offset minus committed. */
  lag: number;
}

/** Where a consumer group stands on each partition of a (physical) topic. */
export async function partitionLag(admin: Admin, groupId: string, topic: string): Promise<PartitionLag[]> {
  const [ends, [offsets]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  return ends.map((end) => {
    const at = Number(offsets.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
    const committed = at >= 0 ? at : Number(end.low);
    return { partition: end.partition, committed, lag: Math.max(0, Number(end.high) - committed) };
  });
}
