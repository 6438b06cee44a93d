import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { RegistryConfig } from '../config';
import { DatasetsService } from '../datasets/datasets.service';
import { ModelsService } from '../models/models.service';
import { buildModelCard } from './model-card-builder';
import { ModelCard, OnlineQuality } from './model-card';
import { MonitoringQualityClient } from './monitoring-quality.client';

const neverServed: OnlineQuality = {
  status: 'not-measured',
  reason: 'it has never been the champion, so it has never been served',
};

/** Model cards, made on request from the registry's records and monitoring's online quality. */
@Injectable()
export class ModelCardsService {
  constructor(
    private readonly models: ModelsService,
    private readonly datasets: DatasetsService,
    private readonly monitoring: MonitoringQualityClient,
    @Inject(SERVICE_CONFIG) private readonly config: RegistryConfig,
  ) {}

  /** The version's card; undefined for a version the registry does not know. */
  async card(modelVersion: string): Promise<ModelCard | undefined> {
    const version = await this.models.find(modelVersion);
    if (!version) return undefined;
    const [dataset, onlineQuality] = await Promise.all([
      this.datasets.manifest(version.lineage.datasetId),
      // Only a champion is served: monitoring is asked about versions that have been one.
      version.promotions.length > 0 ? this.monitoring.onlineQuality(modelVersion) : neverServed,
    ]);
    return buildModelCard({
      version,
      dataset,
      onlineQuality,
      minSliceReaders: this.config.REGISTRY_CARD_MIN_SLICE_READERS,
      generatedAt: new Date(),
    });
  }
}
