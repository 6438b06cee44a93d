import {
  BeforeApplicationShutdown,
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { EventPublisher, MESSAGING_OPTIONS, MessagingOptions } from '@newsroom/messaging';
import { existsSync } from 'node:fs';
import { HealthProbe, POSTGRES_HEALTH_PROBE } from '@newsroom/observability';
import { DataSource, DataSourceOptions } from 'typeorm';
import { SchemaDataSourceOptions, schemaDataSourceOptions } from './data-source';
import { Inbox } from './inbox';
import { migrateSchema } from './migrate';
import { Outbox } from './outbox';
import { OutboxRelay, OutboxRelayOptions } from './outbox-relay';
import { OutboxRelayThread } from './outbox-relay-thread';
import { RetentionJob, RetentionOptions } from './retention';

export interface PersistenceModuleOptions extends SchemaDataSourceOptions {
  migrateOnStart: boolean;
  outbox: OutboxRelayOptions;
  /** The built outbox-relay.worker.js: when it exists, the relay runs in a worker thread. */
  relayWorkerScript?: string;
  retention: RetentionOptions;
}

/** The outbox relay as the application runs it: in this thread or in a worker thread. */
export interface RelayRunner {
  start(): void;
  stop(): Promise<void>;
}
export const RELAY_RUNNER = Symbol('RELAY_RUNNER');

@Injectable()
export class PostgresHealthProbe implements HealthProbe {
  constructor(@Inject(getDataSourceToken()) private readonly dataSource: DataSource) {}
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

/** Runs the outbox relay and the retention job while the application is up; stops them before connections close. */
@Injectable()
export class BackgroundJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(RELAY_RUNNER) private readonly relay: RelayRunner,
    private readonly retention: RetentionJob,
  ) {}
  onApplicationBootstrap(): void {
    this.relay.start();
    this.retention.start();
  }
  beforeApplicationShutdown(): Promise<void> {
    this.retention.stop();
    return this.relay.stop();
  }
}

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceModuleOptions): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...schemaDataSourceOptions(options), retryAttempts: 5, retryDelay: 1_000 }),
          dataSourceFactory: async (dataSourceOptions?: DataSourceOptions) => {
            if (!dataSourceOptions) throw new Error('TypeORM passed no DataSource options');
            const dataSource = await new DataSource(dataSourceOptions).initialize();
            if (options.migrateOnStart) await migrateSchema(dataSource);
            return dataSource;
          },
        }),
      ],
      providers: [
        Outbox,
        Inbox,
        PostgresHealthProbe,
        { provide: POSTGRES_HEALTH_PROBE, useExisting: PostgresHealthProbe },
        {
          provide: OutboxRelay,
          inject: [getDataSourceToken(), EventPublisher],
          useFactory: (dataSource: DataSource, publisher: EventPublisher) =>
            new OutboxRelay(dataSource, publisher, options.outbox),
        },
        {
          provide: RELAY_RUNNER,
          inject: [OutboxRelay, MESSAGING_OPTIONS],
          useFactory: (relay: OutboxRelay, messaging: MessagingOptions): RelayRunner => {
            const script = options.relayWorkerScript;
            if (!script || !existsSync(script)) return relay;
            return new OutboxRelayThread(script, {
              databaseUrl: options.url,
              schema: options.schema,
              brokers: messaging.brokers,
              security: messaging.security,
              clientId: messaging.clientId,
              topicPrefix: messaging.topicPrefix,
              relay: options.outbox,
            });
          },
        },
        {
          provide: RetentionJob,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => new RetentionJob(dataSource, options.retention),
        },
        BackgroundJobs,
      ],
      exports: [Outbox, Inbox, OutboxRelay, POSTGRES_HEALTH_PROBE, TypeOrmModule],
    };
  }
}
