import {
  ServiceName,
  TopicDefinition,
  deadLetterTopicName,
  everyService,
  serviceNames,
} from '@newsroom/contracts';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  ResourcePatternTypes,
} from 'kafkajs';
import { physicalTopic } from './kafka-client';

/** One permission a service's principal is given; everything not given is refused. */
export interface AclPlan {
  principal: string;
  resource: 'topic' | 'group';
  /** A topic's or group's physical name, or a name prefix (`pattern: 'prefixed'`). */
  name: string;
  pattern: 'literal' | 'prefixed';
  operation: 'read' | 'write' | 'describe';
}

/**
 * What each service may do on a broker that denies by default, derived from the topic catalog that
 * also says who produces and consumes each topic: write the topics it produces, read the topics it
 * consumes and write their dead-letter topics, read with its consumer groups (group ids starting
 * with its name, or with the prefix and its name; so serving's per-replica groups too). Monitoring also describes
 * every topic and every service's groups: it reports their lag and dead letters. Read and write
 * imply describe. Principals are `User:<service>` unless `principalOf` says otherwise.
 */
export function planAcls(
  definitions: readonly TopicDefinition[],
  prefix = '',
  principalOf: (service: ServiceName) => string = (service) => `User:${service}`,
): AclPlan[] {
  const plans: AclPlan[] = [];
  const topic = (service: ServiceName, name: string, operation: AclPlan['operation']) =>
    plans.push({
      principal: principalOf(service),
      resource: 'topic',
      name: physicalTopic(prefix, name),
      pattern: 'literal',
      operation,
    });
  // A group id is the service's name (serving's `serving-<host>`), or KAFKA_GROUP_ID, which a
  // deployment sharing a cluster may start with its topic prefix: both are granted.
  const groupNames = (owner: ServiceName) => [...new Set([owner, `${prefix}${owner}`])];
  const group = (service: ServiceName, owner: ServiceName, operation: AclPlan['operation']) =>
    groupNames(owner).forEach((name) =>
      plans.push({
        principal: principalOf(service),
        resource: 'group',
        name,
        pattern: 'prefixed',
        operation,
      }),
    );
  for (const service of serviceNames) {
    for (const definition of definitions) {
      if (definition.producers.includes(service) || definition.producers.includes(everyService))
        topic(service, definition.name, 'write');
      if (definition.consumers.includes(service)) {
        topic(service, definition.name, 'read');
        topic(service, deadLetterTopicName(definition.name), 'write');
      }
    }
    group(service, service, 'read');
  }
  for (const definition of definitions)
    for (const name of [definition.name, deadLetterTopicName(definition.name)])
      if (
        !plans.some(
          (p) => p.principal === principalOf('monitoring') && p.name === physicalTopic(prefix, name),
        )
      )
        topic('monitoring', name, 'describe');
  for (const owner of serviceNames.filter((s) => s !== 'monitoring')) group('monitoring', owner, 'describe');
  return plans;
}

const kafkajsAcl = (plan: AclPlan) => ({
  resourceType: plan.resource === 'topic' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
  resourceName: plan.name,
  resourcePatternType:
    plan.pattern === 'literal' ? ResourcePatternTypes.LITERAL : ResourcePatternTypes.PREFIXED,
  principal: plan.principal,
  host: '*',
  operation: {
    read: AclOperationTypes.READ,
    write: AclOperationTypes.WRITE,
    describe: AclOperationTypes.DESCRIBE,
  }[plan.operation],
  permissionType: AclPermissionTypes.ALLOW,
});

/** Creates the planned ACLs; the broker keeps one of each, so applying twice changes nothing. */
export async function applyAcls(kafka: Kafka, plans: AclPlan[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl: plans.map(kafkajsAcl) });
  } finally {
    await admin.disconnect();
  }
}
