import { Module } from '@nestjs/common';
import { AuditPartitions } from './audit-partitions';
import { AuditPartitionsJob } from './audit-partitions.job';
import { AuditTrail } from './audit-trail';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { MonitoringApiKeysModule } from './monitoring-api-keys.module';

/**
 * The "why shown" trail: every served response kept in day partitions for
 * MONITORING_AUDIT_RETENTION_DAYS (written by the observations consumer, in the transaction that
 * folds it) and read by article or reader behind an auditor key.
 */
@Module({
  imports: [MonitoringApiKeysModule],
  controllers: [AuditController],
  providers: [AuditPartitions, AuditPartitionsJob, AuditTrail, AuditService],
  exports: [AuditTrail, AuditService],
})
export class AuditModule {}
