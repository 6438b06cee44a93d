import { Module } from '@nestjs/common';
import { AlertsConsumer } from './alerts.consumer';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';

/** Alerts: raised and resolved by monitoring's checks, recorded from other services, listed over HTTP. */
@Module({
  controllers: [AlertsController, AlertsConsumer],
  providers: [AlertsService],
  exports: [AlertsService],
})
export class AlertsModule {}
