import { randomUUID } from 'node:crypto';
import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ConfigError, loadConfig } from '@newsroom/config';
import { KafkaTransport } from '@newsroom/messaging';
import {
  collectProcessMetrics,
  gauge,
  instrumentHttp,
  logRequests,
  serviceLogger,
} from '@newsroom/observability';
import { bypassTracingOfUntracedRequests, stopTracing } from '@newsroom/observability/tracing';
import { SchemaDataSourceOptions, createSchemaDataSource, migrateSchema } from '@newsroom/persistence';
import { Logger } from 'nestjs-pino';
import type pino from 'pino';
import { z } from 'zod';
import { PlatformExceptionFilter } from './platform-exception.filter';
import { PlatformModule } from './platform.module';
import { refuseNulCharacters } from './nul-characters';
import { enforceRequestTimeout } from './request-timeout';
import { ServiceConfig, serviceConfigProblems } from './service-config';
import { answerMethodNotAllowed } from './openapi/method-not-allowed';
import { withCommonResponses } from './openapi/common-responses';
import { ShutdownSignal } from './shutdown-signal';

export interface ServiceDefinition<C extends ServiceConfig> {
  name: string;
  description: string;
  /** The PostgreSQL schema the service owns. */
  schema: string;
  migrations: SchemaDataSourceOptions['migrations'];
  entities?: SchemaDataSourceOptions['entities'];
  configSchema: z.ZodType<C>;
  /** The service's own (domain) module; the platform module is added around it. */
  createModule: (config: C) => DynamicModule;
  /** OpenAPI paths of routes served on Fastify directly (outside Nest's router), for /docs. */
  openApiPaths?: OpenAPIObject['paths'];
  /** URL path prefixes of hot routes without access-log lines, their responses audited otherwise. */
  quietPaths?: string[];
}

@Module({})
class ServiceRootModule {}

/** The service's module plus the platform (logging, Kafka, its schema, health, metrics). */
export function serviceRootModule<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  logger: pino.Logger,
): DynamicModule {
  return {
    module: ServiceRootModule,
    imports: [
      PlatformModule.forRoot({
        service: definition.name,
        schema: definition.schema,
        config,
        entities: definition.entities,
        migrations: definition.migrations,
        logger,
      }),
      definition.createModule(config),
    ],
  };
}

/**
 * Starts a service: validated configuration (exit 1 naming each bad variable), Fastify HTTP with
 * OpenAPI at /docs, the Kafka consumer as a Nest microservice, and a graceful shutdown on
 * SIGTERM/SIGINT: stop consuming (in-flight work finishes, offsets are committed), stop HTTP,
 * stop the outbox relay, disconnect, exit 0 — or exit 1 if that takes longer than SHUTDOWN_TIMEOUT_MS.
 */
export async function runService<C extends ServiceConfig>(definition: ServiceDefinition<C>): Promise<void> {
  const command = process.argv[2] ?? 'serve';
  if (command === 'describe-config') {
    // The env schema as JSON Schema: deployment checks and docs read it from the built service.
    process.stdout.write(
      JSON.stringify(z.toJSONSchema(definition.configSchema, { io: 'input' }), null, 2) + '\n',
    );
    return;
  }
  if (command !== 'serve' && command !== 'migrate') {
    process.stderr.write(
      `${definition.name}: unknown command "${command}" (expected serve, migrate or describe-config)\n`,
    );
    process.exit(2);
  }
  let config: C;
  try {
    config = loadConfig(definition.configSchema as unknown as z.ZodObject, process.env) as C;
    const problems = serviceConfigProblems(config);
    if (problems.length > 0) throw new ConfigError(problems);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  if (command === 'migrate') {
    process.exitCode = await migrateOnly(definition, config);
    return;
  }

  let started: Awaited<ReturnType<typeof createServiceApp<C>>>;
  try {
    started = await createServiceApp(definition, config);
  } catch (error) {
    process.stderr.write(`${definition.name}: could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const { app, transport } = started;
  const logger = app.get(Logger);

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.log(`${signal} received: shutting down`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown took longer than ${config.SHUTDOWN_TIMEOUT_MS} ms, exiting`);
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    try {
      // Consumers first, then HTTP (in-flight requests finish), while the producer and the database
      // are still there for their work; then the rest (outbox relay, producer, connections). Long
      // work in flight (a training run, an evaluation) is told to stop once consumers take no more.
      const consumersStopped = transport.close();
      app.get(ShutdownSignal).trigger();
      await consumersStopped;
      await (app.getHttpAdapter().getInstance() as FastifyInstance).close();
      await app.close();
      await stopTracing();
      logger.log('shut down cleanly');
      process.exit(0);
    } catch (error) {
      logger.error(`shutdown failed: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  try {
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    logger.error(`cannot listen on ${config.HOST}:${config.PORT}: ${(error as Error).message}`);
    process.exit(1);
  }
  logger.log(`${definition.name} listening on ${config.HOST}:${config.PORT}`);
}

/**
 * The service as a Nest application, consumers started, HTTP not yet listening: what `serve` runs,
 * and what integration tests drive in-process.
 */
export async function createServiceApp<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
): Promise<{ app: NestFastifyApplication; transport: KafkaTransport }> {
  collectProcessMetrics();
  const logger = serviceLogger(definition.name, config.LOG_LEVEL);
  const app = await NestFactory.create<NestFastifyApplication>(
    serviceRootModule(definition, config, logger),
    // Request ids are unique across replicas and restarts (Fastify's default counts from 1 in every
    // process): the audit trail keys each served response by its id.
    // Identifiers are up to 200 characters, which percent-encoding may make 12 times longer.
    new FastifyAdapter({
      bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
      genReqId: () => randomUUID(),
      routerOptions: { maxParamLength: 2_400 },
    }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  bypassTracingOfUntracedRequests(fastify.server);
  enforceRequestTimeout(fastify, config.HTTP_REQUEST_TIMEOUT_MS);
  refuseNulCharacters(fastify);
  instrumentHttp(fastify);
  logRequests(fastify, logger, definition.quietPaths);
  gauge(
    'slo_availability_target',
    'The availability objective: the share of requests that must not fail or time out',
  ).set(config.SLO_AVAILABILITY_TARGET);
  setUpOpenApi(app, definition, config);
  app.useGlobalFilters(new PlatformExceptionFilter(app.getHttpAdapter()));
  const transport = app.get(KafkaTransport);
  app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
  // Modules are initialised (and bootstrapped) before the first record reaches a handler.
  await app.init();
  await app.startAllMicroservices();
  return { app, transport };
}

function setUpOpenApi(
  app: INestApplication,
  definition: { name: string; description: string; openApiPaths?: OpenAPIObject['paths'] },
  config: ServiceConfig,
): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Newsroom ${definition.name}`)
      .setDescription(definition.description)
      .setVersion(config.CODE_VERSION)
      .addApiKey({ type: 'apiKey', name: 'x-api-key', in: 'header' }, 'api-key')
      .build(),
  );
  document.paths = { ...document.paths, ...definition.openApiPaths };
  withCommonResponses(document);
  answerMethodNotAllowed(app.getHttpAdapter().getInstance(), document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}

/** `main.js migrate`: run the schema's migrations and exit (the Kubernetes migration Job). */
async function migrateOnly<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
): Promise<number> {
  const dataSource = createSchemaDataSource({
    url: config.DATABASE_URL,
    schema: config.DB_SCHEMA ?? definition.schema,
    migrations: definition.migrations,
    applicationName: `${definition.name}-migrate`,
  });
  try {
    await dataSource.initialize();
    const applied = await migrateSchema(dataSource);
    process.stdout.write(
      `${definition.name}: ${applied.length} migration(s) applied: ${applied.map((m) => m.name).join(', ') || 'none pending'}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`${definition.name}: migration failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}
