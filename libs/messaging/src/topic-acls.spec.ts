import { allTopics, deadLetterTopicName, serviceNames, topics } from '@newsroom/contracts';
import { AclPlan, planAcls } from './topic-acls';

const allowed = (plans: AclPlan[], principal: string, operation: AclPlan['operation'], name: string) =>
  plans.some((p) => p.principal === principal && p.operation === operation && p.name === name);

describe('planAcls', () => {
  const plans = planAcls(allTopics, 't1.');

  it("gives each service the topics the catalog says it produces and consumes, and no other's", () => {
    expect(allowed(plans, 'User:ingestion', 'write', 't1.interactions.ingested')).toBe(true);
    expect(allowed(plans, 'User:ingestion', 'read', 't1.interactions.raw')).toBe(true);
    expect(allowed(plans, 'User:ingestion', 'write', 't1.interactions.raw.dlq')).toBe(true);
    expect(allowed(plans, 'User:ingestion', 'write', 't1.model.promoted')).toBe(false);
    expect(allowed(plans, 'User:serving', 'write', 't1.recommendations.generated')).toBe(false);
    for (const topic of allTopics)
      for (const service of serviceNames) {
        const writes = allowed(plans, `User:${service}`, 'write', `t1.${topic.name}`);
        const produces = topic.producers.some((p) => p === service || p === 'every service');
        expect([topic.name, service, writes]).toEqual([topic.name, service, produces]);
        const reads = allowed(plans, `User:${service}`, 'read', `t1.${topic.name}`);
        expect([topic.name, service, reads]).toEqual([
          topic.name,
          service,
          topic.consumers.includes(service),
        ]);
      }
  });

  it('lets every service report its vitals, and monitoring see every topic and group', () => {
    for (const service of serviceNames)
      expect(allowed(plans, `User:${service}`, 'write', `t1.${topics.serviceVitals.name}`)).toBe(true);
    for (const topic of allTopics)
      for (const name of [topic.name, deadLetterTopicName(topic.name)])
        expect(plans.some((p) => p.principal === 'User:monitoring' && p.name === `t1.${name}`)).toBe(true);
    const groups = plans.filter((p) => p.resource === 'group');
    // Group ids as services name them by default (no prefix) and as a shared cluster may (prefixed).
    expect(groups.filter((p) => p.operation === 'read').map((p) => [p.principal, p.name, p.pattern])).toEqual(
      serviceNames.flatMap((s) => [
        [`User:${s}`, s, 'prefixed'],
        [`User:${s}`, `t1.${s}`, 'prefixed'],
      ]),
    );
    expect(groups.filter((p) => p.operation === 'describe')).toHaveLength(2 * (serviceNames.length - 1));
  });

  it('takes the principal naming of the deployment', () => {
    expect(
      planAcls(allTopics, '', (s) => `User:newsroom-${s}`).every((p) =>
        p.principal.startsWith('User:newsroom-'),
      ),
    ).toBe(true);
  });
});
