import { allTopics, topics } from '@newsroom/contracts';
import { World, publishEvents, simulate, worldConfig } from '@newsroom/datagen';
import { EventPublisher, physicalTopic } from '@newsroom/messaging';
import { createTestTopics, topicSize } from '@newsroom/messaging/testing';
import { startService, testServers, uniqueName, waitFor } from '@newsroom/testing';
import { DataSource } from 'typeorm';

describe('ingestion of the synthetic news world (small preset, 1% corrupted)', () => {
  it('stores every article and distinct interaction the world published and rejects every corrupted record', async () => {
    const kafkaTopics = await createTestTopics(allTopics, 3);
    const schema = uniqueName('warehouse');
    const db = await new DataSource({ type: 'postgres', url: testServers().databaseUrl }).initialize();
    const service = await startService('ingestion', {
      DB_SCHEMA: schema,
      KAFKA_TOPIC_PREFIX: kafkaTopics.prefix,
    });
    const publisher = new EventPublisher(kafkaTopics.kafka, kafkaTopics.prefix);
    try {
      const world = new World(worldConfig('small', { seed: 7, corruptedShare: 0.01 }));
      const summary = await publishEvents(publisher, simulate(world));
      const interactions =
        summary.interactions.impression + summary.interactions.click + summary.interactions.read;
      expect(summary.corrupted).toBeGreaterThan(0);

      const count = async (table: string) =>
        (await db.query(`SELECT count(*)::int AS n FROM "${schema}".${table}`))[0].n as number;
      await waitFor(
        'the world stored',
        async () =>
          (await count('interactions')) === interactions &&
          (await count('article_revisions')) === summary.articles,
        {
          timeoutMs: 90_000,
          intervalMs: 250,
        },
      );
      const rejected = physicalTopic(kafkaTopics.prefix, topics.ingestionRejected.name);
      await waitFor(
        'every corrupted record rejected',
        async () => (await topicSize(kafkaTopics.kafka, rejected)) === summary.corrupted,
      );
      const [reads] = await db.query(
        `SELECT count(*)::int AS n FROM "${schema}".interactions WHERE type = 'read' AND dwell_seconds >= 0`,
      );
      expect(reads.n).toBe(summary.interactions.read);
    } finally {
      await publisher.disconnect();
      await service.stop();
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.destroy();
      await kafkaTopics.remove();
    }
  });
});
