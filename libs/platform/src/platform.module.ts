import { join } from 'node:path';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventPublisher, MessagingModule, messagingOptions } from '@newsroom/messaging';
import { HealthController, MetricsController, nestLoggerParams } from '@newsroom/observability';
import { PersistenceModule, SchemaDataSourceOptions } from '@newsroom/persistence';
import { LoggerModule } from 'nestjs-pino';
import type pino from 'pino';
import { SERVICE_CONFIG, ServiceConfig } from './service-config';
import { ShutdownSignal } from './shutdown-signal';
import { SERVICE_INSTANCE, serviceInstanceName } from './vitals/service-instance';
import { ServiceVitalsReporter } from './vitals/service-vitals.reporter';

export interface PlatformModuleOptions {
  service: string;
  /** The PostgreSQL schema the service owns (DB_SCHEMA overrides it, e.g. for tests). */
  schema: string;
  config: ServiceConfig;
  /** The service's logger (serviceLogger), shared with the access log. */
  logger: pino.Logger;
  entities?: SchemaDataSourceOptions['entities'];
  migrations?: SchemaDataSourceOptions['migrations'];
}

/**
 * Everything a service has besides its domain: logging, Kafka, its PostgreSQL schema with outbox
 * and inbox, health (/health/live, /health/ready), metrics (/metrics) and its vitals on Kafka.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot({
    service,
    schema,
    config,
    entities,
    migrations,
    logger,
  }: PlatformModuleOptions): DynamicModule {
    const startedAt = new Date().toISOString();
    return {
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot(nestLoggerParams(logger)),
        TerminusModule.forRoot({ logger: false }),
        MessagingModule.forRoot(messagingOptions(service, config)),
        PersistenceModule.forRoot({
          url: config.DATABASE_URL,
          schema: config.DB_SCHEMA ?? schema,
          entities,
          migrations,
          poolSize: config.DB_POOL_SIZE,
          applicationName: service,
          migrateOnStart: config.DB_MIGRATE_ON_START,
          outbox: {
            pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
            idlePollMs: config.OUTBOX_IDLE_POLL_MS,
            batchSize: config.OUTBOX_BATCH_SIZE,
          },
          // Built next to main.js by tools/build/node-app-webpack.js; absent when running from sources.
          relayWorkerScript: config.OUTBOX_RELAY_THREAD
            ? join(__dirname, 'outbox-relay.worker.js')
            : undefined,
          retention: {
            keepPublishedOutboxMs: config.OUTBOX_KEEP_PUBLISHED_MS,
            keepInboxMs: config.INBOX_KEEP_MS,
            intervalMs: 15 * 60 * 1000,
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: SERVICE_INSTANCE, useValue: serviceInstanceName(service, startedAt) },
        ShutdownSignal,
        {
          provide: ServiceVitalsReporter,
          inject: [EventPublisher],
          useFactory: (publisher: EventPublisher) =>
            new ServiceVitalsReporter(service, config, publisher, startedAt),
        },
      ],
      exports: [SERVICE_CONFIG, SERVICE_INSTANCE, ShutdownSignal],
    };
  }
}
