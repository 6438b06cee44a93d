import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { MonitoringApiKeysModule } from '../audit/monitoring-api-keys.module';
import { VitalsModule } from '../vitals/vitals.module';
import { TakedownsConsumer } from './takedowns.consumer';
import { TakedownsController } from './takedowns.controller';
import { TakedownsService } from './takedowns.service';

/** Takedown receipts: flags, holders' confirmations, and impressions after the flag, behind an auditor key. */
@Module({
  imports: [AuditModule, VitalsModule, MonitoringApiKeysModule],
  controllers: [TakedownsConsumer, TakedownsController],
  providers: [TakedownsService],
})
export class TakedownsModule {}
