import { Injectable } from '@nestjs/common';
import { ArtifactRef } from '@newsroom/artifacts';
import { TopicPayload, topics } from '@newsroom/contracts';
import { quotedSchema } from '@newsroom/persistence';
import { DataSource, EntityManager } from 'typeorm';

export type ModelPromoted = TopicPayload<typeof topics.modelPromoted>;

export interface Champion {
  modelVersion: string;
  artifact: Pick<ArtifactRef, 'uri' | 'sha256'>;
  sequence: number;
}

/** The table a service keeps its view of the champion in (one row), for its migrations. */
export const championTableSql = (schema: string) => `
  CREATE TABLE ${schema}.champion (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    model_version text NOT NULL,
    artifact jsonb NOT NULL,
    sequence bigint NOT NULL
  )`;

/**
 * A service's copy of the current champion, kept from `model.promoted`. Promotions of different
 * versions travel on different partitions, so the highest registry sequence wins, not the last
 * to arrive; a redelivered one changes nothing.
 */
@Injectable()
export class ChampionStore {
  constructor(private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, promoted: ModelPromoted): Promise<void> {
    await manager.query(
      `INSERT INTO ${quotedSchema(manager.connection)}.champion AS c (model_version, artifact, sequence)
       VALUES ($1, $2, $3)
       ON CONFLICT (singleton) DO UPDATE SET model_version = EXCLUDED.model_version,
         artifact = EXCLUDED.artifact, sequence = EXCLUDED.sequence
       WHERE c.sequence < EXCLUDED.sequence`,
      [
        promoted.modelVersion,
        { uri: promoted.artifact.uri, sha256: promoted.artifact.sha256 },
        promoted.sequence,
      ],
    );
  }

  async current(manager: EntityManager = this.dataSource.manager): Promise<Champion | undefined> {
    const [row] = await manager.query(
      `SELECT model_version, artifact, sequence FROM ${quotedSchema(manager.connection)}.champion`,
    );
    return row
      ? { modelVersion: row.model_version, artifact: row.artifact, sequence: Number(row.sequence) }
      : undefined;
  }
}
