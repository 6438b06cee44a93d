import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { DriftModule } from '../drift/drift.module';
import { LineageModule } from '../lineage/lineage.module';
import { PipelineModule } from '../pipeline/pipeline.module';
import { ModelQualityModule } from '../quality/model-quality.module';
import { VitalsModule } from '../vitals/vitals.module';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';

/** The human view of everything monitoring knows, at `/`. */
@Module({
  imports: [VitalsModule, PipelineModule, LineageModule, ModelQualityModule, DriftModule, AlertsModule],
  controllers: [StatusController],
  providers: [StatusService],
})
export class StatusModule {}
