import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { ObservationsModule } from '../observations/observations.module';
import { ModelQualityController } from './model-quality.controller';
import { ModelQualityJob } from './model-quality.job';
import { ModelQualityService } from './model-quality.service';

/** Model quality online, from served lists and the reads that followed them; model alerts. */
@Module({
  imports: [ObservationsModule, AlertsModule],
  controllers: [ModelQualityController],
  providers: [ModelQualityService, ModelQualityJob],
  exports: [ModelQualityService],
})
export class ModelQualityModule {}
