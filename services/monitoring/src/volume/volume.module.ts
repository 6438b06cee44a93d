import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { ObservationsModule } from '../observations/observations.module';
import { VolumeJob } from './volume.job';

/** Data volumes against the same hours of previous days: drops and spikes become data-quality alerts. */
@Module({
  imports: [ObservationsModule, AlertsModule],
  providers: [VolumeJob],
})
export class VolumeModule {}
