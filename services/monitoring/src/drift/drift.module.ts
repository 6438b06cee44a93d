import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { LineageModule } from '../lineage/lineage.module';
import { ObservationsModule } from '../observations/observations.module';
import { DriftController } from './drift.controller';
import { DriftJob } from './drift.job';
import { DriftService } from './drift.service';

/** Data drift: reports against the champion's training window, served and alerted on. */
@Module({
  imports: [ObservationsModule, LineageModule, AlertsModule],
  controllers: [DriftController],
  providers: [DriftService, DriftJob],
  exports: [DriftService],
})
export class DriftModule {}
