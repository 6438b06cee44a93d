import { Injectable } from '@nestjs/common';
import { TopicPayload, topics } from '@newsroom/contracts';
import { quotedSchema } from '@newsroom/persistence';
import { DataSource } from 'typeorm';

type Snapshotted = TopicPayload<typeof topics.datasetSnapshotted>;
export type DatasetManifest = Snapshotted['manifest'];

/** The manifests of the datasets models are trained on: what `model.trained` names by id only. */
@Injectable()
export class DatasetsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Keeps a dataset's manifest; a dataset announced again (a rebuild, a redelivery) changes nothing. */
  async register(snapshotted: Snapshotted): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${quotedSchema(this.dataSource)}.datasets (dataset_id, manifest) VALUES ($1, $2)
       ON CONFLICT DO NOTHING`,
      [snapshotted.datasetId, snapshotted.manifest],
    );
  }

  async manifest(datasetId: string): Promise<DatasetManifest | undefined> {
    const [row]: { manifest: DatasetManifest }[] = await this.dataSource.query(
      `SELECT manifest FROM ${quotedSchema(this.dataSource)}.datasets WHERE dataset_id = $1`,
      [datasetId],
    );
    return row?.manifest;
  }
}
