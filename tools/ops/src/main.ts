import { loadConfig, runCommandLine } from '@newsroom/config';
import { allTopics } from '@newsroom/contracts';
import { createKafka, ensureTopics, messagingEnv, planTopics } from '@newsroom/messaging';
import { z } from 'zod';

/**
 * Operations CLI. `topics create` is the explicit admin step that creates every topic of
 * libs/contracts and its dead-letter topic (broker auto-creation is off), with partitions and
 * retention from the environment. `topics plan` prints what it would create.
 */
const configSchema = z.object({
  KAFKA_BROKERS: messagingEnv.KAFKA_BROKERS,
  KAFKA_TOPIC_PREFIX: messagingEnv.KAFKA_TOPIC_PREFIX,
  TOPIC_PARTITIONS: messagingEnv.TOPIC_PARTITIONS,
  TOPIC_REPLICATION_FACTOR: messagingEnv.TOPIC_REPLICATION_FACTOR,
  TOPIC_RETENTION_MS: messagingEnv.TOPIC_RETENTION_MS,
});

async function main(args: string[]): Promise<number> {
  const config = loadConfig(configSchema);
  const plans = planTopics(
    allTopics,
    {
      partitions: config.TOPIC_PARTITIONS,
      replicationFactor: config.TOPIC_REPLICATION_FACTOR,
      retentionMs: config.TOPIC_RETENTION_MS,
    },
    config.KAFKA_TOPIC_PREFIX,
  );
  switch (args.join(' ')) {
    case 'topics plan':
      for (const p of plans) console.log(`${p.name}\tpartitions=${p.partitions}\t${JSON.stringify(p.config)}`);
      return 0;
    case 'topics create': {
      const created = await ensureTopics(createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'newsroom-ops' }), plans);
      console.log(`${created.length} topic(s) created, ${plans.length - created.length} already present`);
      return 0;
    }
    default:
      console.error('usage: ops topics plan | ops topics create');
      return 2;
  }
}

runCommandLine(main);
