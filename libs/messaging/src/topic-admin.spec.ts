import { allTopics, topics } from '@newsroom/contracts';
import { planTopics } from './topic-admin';

describe('planTopics', () => {
  const settings = { partitions: 6, replicationFactor: 3, retentionMs: 86_400_000 };
  const plans = planTopics(allTopics, settings, 'tenant-a.');
  const plan = (name: string) => plans.find((p) => p.name === `tenant-a.${name}`);

  it('plans every contract topic and its dead-letter topic, under the prefix', () => {
    expect(plans).toHaveLength(allTopics.length * 2);
    for (const t of allTopics) {
      expect(plan(t.name)).toBeDefined();
      expect(plan(`${t.name}.dlq`)).toBeDefined();
    }
  });

  it('compacts state topics and applies retention to event topics', () => {
    expect(plan(topics.recommendationsGenerated.name)).toMatchObject({
      partitions: 6,
      replicationFactor: 3,
      config: { 'cleanup.policy': 'compact' },
    });
    expect(plan(topics.interactionsRaw.name)?.config).toEqual({
      'cleanup.policy': 'delete',
      'retention.ms': '86400000',
    });
  });

  it('keeps dead letters for at least 30 days', () => {
    expect(Number(plan('interactions.raw.dlq')?.config['retention.ms'])).toBeGreaterThanOrEqual(
      30 * 86_400_000,
    );
  });
});
