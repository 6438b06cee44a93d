import { loadConfig, runCommandLine } from '@newsroom/config';
import { allTopics } from '@newsroom/contracts';
import {
  applyAcls,
  createKafka,
  ensureTopics,
  kafkaSecurity,
  kafkaSecurityEnv,
  messagingEnv,
  planAcls,
  planTopics,
} from '@newsroom/messaging';
import { z } from 'zod';
import { UsageError, dlqList, dlqReplay } from './dlq-commands';
import { keysHash, keysNew } from './key-commands';

/**
 * Operations CLI. `topics create` is the explicit admin step that creates every topic of
 * libs/contracts and its dead-letter topic (broker auto-creation is off), with partitions and
 * retention from the environment. `topics plan` prints what it would create. `dlq list` and
 * `dlq replay` show and re-publish dead letters. `acls plan` prints, and `acls apply` creates, the ACLs
 * that give each service's principal (`User:<service>`) only its topics and groups, for a broker that
 * denies by default. `keys new` makes an API key and its hashed entry,
 * `keys hash` the entry of a key read from stdin.
 */
const configSchema = z.object({
  KAFKA_BROKERS: messagingEnv.KAFKA_BROKERS,
  ...kafkaSecurityEnv,
  KAFKA_TOPIC_PREFIX: messagingEnv.KAFKA_TOPIC_PREFIX,
  TOPIC_PARTITIONS: messagingEnv.TOPIC_PARTITIONS,
  TOPIC_REPLICATION_FACTOR: messagingEnv.TOPIC_REPLICATION_FACTOR,
  TOPIC_RETENTION_MS: messagingEnv.TOPIC_RETENTION_MS,
  /** How a service's principal is named in ACLs: `{service}` stands for its name. */
  KAFKA_ACL_PRINCIPAL: z
    .string()
    .regex(/^User:.*\{service\}/, 'expected User:<name with {service}>, e.g. User:{service}')
    .default('User:{service}'),
});

const usage = [
  'usage: ops topics plan | ops topics create',
  '       ops acls plan | ops acls apply',
  '       ops dlq list [--json]',
  '       ops dlq replay <topic> [--reason <reason>] [--error-contains <text>] [--dry-run]',
  '       ops keys new <name> | ops keys hash <name> < key-file',
].join('\n');

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
  const security = kafkaSecurity(config);
  const kafka = () => createKafka({ brokers: config.KAFKA_BROKERS, security, clientId: 'newsroom-ops' });
  const acls = planAcls(allTopics, config.KAFKA_TOPIC_PREFIX, (service) =>
    config.KAFKA_ACL_PRINCIPAL.replace('{service}', service),
  );
  const [group, command, ...rest] = args;
  try {
    if (group === 'dlq' && command === 'list') return await dlqList(kafka(), config.KAFKA_TOPIC_PREFIX, rest);
    if (group === 'dlq' && command === 'replay')
      return await dlqReplay(kafka(), config.KAFKA_TOPIC_PREFIX, rest);
    if (group === 'keys' && command === 'new') return keysNew(rest);
    if (group === 'keys' && command === 'hash') return await keysHash(rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${usage}`);
    return 2;
  }
  switch (args.join(' ')) {
    case 'topics plan':
      for (const p of plans)
        console.log(`${p.name}\tpartitions=${p.partitions}\t${JSON.stringify(p.config)}`);
      return 0;
    case 'acls plan':
      for (const a of acls)
        console.log(`${a.principal}\t${a.operation}\t${a.resource}\t${a.pattern}\t${a.name}`);
      return 0;
    case 'acls apply':
      await applyAcls(kafka(), acls);
      console.log(`${acls.length} ACL(s) applied`);
      return 0;
    case 'topics create': {
      const created = await ensureTopics(kafka(), plans);
      console.log(`${created.length} topic(s) created, ${plans.length - created.length} already present`);
      return 0;
    }
    default:
      console.error(usage);
      return 2;
  }
}

runCommandLine(main);
