import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import {
  CONSUMER_HEALTH_PROBE,
  HealthProbe,
  KAFKA_HEALTH_PROBE,
  POSTGRES_HEALTH_PROBE,
} from './health-probe';
import { checkProbe } from './probe.health-indicator';

const PROBE_TIMEOUT_MS = 2_000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(KAFKA_HEALTH_PROBE) private readonly kafka: HealthProbe,
    @Inject(POSTGRES_HEALTH_PROBE) private readonly postgres: HealthProbe,
    @Inject(CONSUMER_HEALTH_PROBE) private readonly consumers: HealthProbe,
  ) {}

  /** Liveness: the process answers. Dependencies are left out so an outage does not restart every pod. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: Kafka and PostgreSQL both answer within the deadline, and no handler waits for either. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => checkProbe(this.indicators, 'kafka', this.kafka, PROBE_TIMEOUT_MS),
      () => checkProbe(this.indicators, 'postgres', this.postgres, PROBE_TIMEOUT_MS),
      () => checkProbe(this.indicators, 'consumers', this.consumers, PROBE_TIMEOUT_MS),
    ]);
  }
}
