import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { LineageModule } from '../lineage/lineage.module';
import { ObservationsModule } from '../observations/observations.module';
import { ConsumerLag } from './consumer-lag';
import { PipelineController } from './pipeline.controller';
import { PipelineJob } from './pipeline.job';
import { PipelineService } from './pipeline.service';

/** Pipeline health: stage ages, consumer lag per group, dead letters; pipeline alerts and metrics. */
@Module({
  imports: [LineageModule, AlertsModule, ObservationsModule],
  controllers: [PipelineController],
  providers: [ConsumerLag, PipelineService, PipelineJob],
  exports: [PipelineService],
})
export class PipelineModule {}
