import { DynamicModule, Module } from '@nestjs/common';
import { AlertsModule } from './alerts/alerts.module';
import { AuditModule } from './audit/audit.module';
import { MonitoringConfig } from './config';
import { DriftModule } from './drift/drift.module';
import { LineageModule } from './lineage/lineage.module';
import { ObservationsModule } from './observations/observations.module';
import { PipelineModule } from './pipeline/pipeline.module';
import { ModelQualityModule } from './quality/model-quality.module';
import { ReaderDataModule } from './reader-data/reader-data.module';
import { StatusModule } from './status/status.module';
import { TakedownsModule } from './takedowns/takedowns.module';
import { VitalsModule } from './vitals/vitals.module';
import { VolumeModule } from './volume/volume.module';

/**
 * Monitoring: what producers send and serving serves, data drift and volumes, model quality online,
 * the champion's lineage, pipeline health, the services' SLA and vitals, alerts, a status page, the
 * "why shown" audit trail, takedown receipts and readers' data on request.
 */
@Module({})
export class AppModule {
  static register(_config: MonitoringConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservationsModule,
        LineageModule,
        AlertsModule,
        DriftModule,
        VolumeModule,
        ModelQualityModule,
        PipelineModule,
        VitalsModule,
        StatusModule,
        AuditModule,
        TakedownsModule,
        ReaderDataModule,
      ],
    };
  }
}
