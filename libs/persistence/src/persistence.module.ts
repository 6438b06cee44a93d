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
import { EventPublisher } from '@newsroom/messaging';
import { HealthProbe, POSTGRES_HEALTH_PROBE } from '@newsroom/observability';
import { DataSource, DataSourceOptions } from 'typeorm';
import { SchemaDataSourceOptions, schemaDataSourceOptions } from './data-source';
import { Inbox } from './inbox';
import { migrateSchema } from './migrate';
import { Outbox } from './outbox';
import { OutboxRelay, OutboxRelayOptions } from './outbox-relay';

export interface PersistenceModuleOptions extends SchemaDataSourceOptions {
  migrateOnStart: boolean;
  outbox: OutboxRelayOptions;
}

@Injectable()
export class PostgresHealthProbe implements HealthProbe {
  constructor(@Inject(getDataSourceToken()) private readonly dataSource: DataSource) {}
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

/** Runs the outbox relay while the application is up; stops it before connections close. */
@Injectable()
export class OutboxRelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly relay: OutboxRelay) {}
  onApplicationBootstrap(): void {
    this.relay.start();
  }
  beforeApplicationShutdown(): Promise<void> {
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
        OutboxRelayLifecycle,
      ],
      exports: [Outbox, Inbox, OutboxRelay, POSTGRES_HEALTH_PROBE, TypeOrmModule],
    };
  }
}
