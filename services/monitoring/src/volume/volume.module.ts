import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { ObservationsModule } from '../observations/observations.module';
import { SourceQualityJob } from './source-quality.job';
import { VolumeJob } from './volume.job';

/**
 * Data volumes against the same hours of previous days, and the share of rejected records: drops,
 * spikes and bad producers become data-quality alerts.
 */
@Module({
  imports: [ObservationsModule, AlertsModule],
  providers: [VolumeJob, SourceQualityJob],
})
export class VolumeModule {}
