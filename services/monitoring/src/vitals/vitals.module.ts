import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { ServiceVitalsStore } from './service-vitals.store';
import { VitalsConsumer } from './vitals.consumer';
import { VitalsController } from './vitals.controller';
import { VitalsJob } from './vitals.job';
import { VitalsService } from './vitals.service';

/** The services' vitals: SLA against the objective, outbox backlog, instances alive; serving and pipeline alerts. */
@Module({
  imports: [AlertsModule],
  controllers: [VitalsConsumer, VitalsController],
  providers: [ServiceVitalsStore, VitalsService, VitalsJob],
  exports: [VitalsService],
})
export class VitalsModule {}
