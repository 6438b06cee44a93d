import { Inject, Injectable } from '@nestjs/common';
import { ServiceName, allTopics, deadLetterTopicName, serviceNames } from '@newsroom/contracts';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { MonitoringConfig } from '../config';
import { partitionLag } from '@newsroom/messaging';
import { Admin } from 'kafkajs';
import { BrokerAdmin } from '../observations/broker-admin';

/** A service's consumer group on one of its topics. */
export interface GroupLag {
  service: ServiceName;
  group: string;
  topic: string;
  /** Records between the group's committed offsets and the partitions' ends. */
  lag: number;
  /** Sum of the committed offsets: it moves when the group makes progress. */
  committed: number;
}

/**
 * Where every service's consumer group stands on the topics the catalog says it consumes (the
 * group named MONITORING_CONSUMER_GROUP_PREFIX and the service; monitoring's own, whatever its
 * name), and how many records
 * wait on each dead-letter topic, from the broker's admin API. Serving is left out: each of its
 * replicas has a group of its own.
 */
@Injectable()
export class ConsumerLag {
  constructor(
    private readonly broker: BrokerAdmin,
    @Inject(SERVICE_CONFIG) private readonly config: MonitoringConfig,
  ) {}

  /**
   * Every group's lag and every dead-letter topic's size, from one look at the broker's topics (a
   * topic not created yet, in a deployment under way, is skipped rather than failing the check).
   */
  async read(): Promise<{ groups: GroupLag[]; deadLetters: { topic: string; records: number }[] }> {
    const admin = await this.broker.connected();
    const existing = new Set(await admin.listTopics());
    return {
      groups: await this.groups(admin, existing),
      deadLetters: await this.deadLetters(admin, existing),
    };
  }

  private async groups(admin: Admin, existing: Set<string>): Promise<GroupLag[]> {
    const rows: GroupLag[] = [];
    for (const service of serviceNames.filter((s) => s !== 'serving')) {
      const group =
        service === 'monitoring'
          ? this.broker.groupId
          : `${this.config.MONITORING_CONSUMER_GROUP_PREFIX}${service}`;
      for (const topic of allTopics.filter((t) => t.consumers.includes(service))) {
        const name = this.broker.physical(topic.name);
        if (!existing.has(name)) continue;
        let lag = 0;
        let sum = 0;
        for (const partition of await partitionLag(admin, group, name)) {
          lag += partition.lag;
          sum += partition.committed;
        }
        rows.push({ service, group, topic: topic.name, lag, committed: sum });
      }
    }
    return rows;
  }

  private async deadLetters(
    admin: Admin,
    existing: Set<string>,
  ): Promise<{ topic: string; records: number }[]> {
    const rows: { topic: string; records: number }[] = [];
    for (const topic of allTopics) {
      const name = this.broker.physical(deadLetterTopicName(topic.name));
      if (!existing.has(name)) continue;
      const offsets = await admin.fetchTopicOffsets(name);
      rows.push({
        topic: deadLetterTopicName(topic.name),
        records: offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0),
      });
    }
    return rows;
  }
}
