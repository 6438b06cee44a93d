import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ConfigError, loadConfig } from '@newsroom/config';
import { KafkaTransport, RethrowRpcErrorsFilter } from '@newsroom/messaging';
import { collectProcessMetrics, instrumentHttp } from '@newsroom/observability';
import { stopTracing } from '@newsroom/observability/tracing';
import { Logger } from 'nestjs-pino';
import { z } from 'zod';
import { ServiceConfig } from './service-config';

export interface ServiceDefinition<C extends ServiceConfig> {
  name: string;
  description: string;
  configSchema: z.ZodType<C>;
  createModule: (config: C) => DynamicModule;
}

/**
 * Starts a service: validated configuration (exit 1 naming each bad variable), Fastify HTTP with
 * OpenAPI at /docs, the Kafka consumer as a Nest microservice, and a graceful shutdown on
 * SIGTERM/SIGINT: stop consuming (in-flight work finishes, offsets are committed), stop HTTP,
 * stop the outbox relay, disconnect, exit 0 — or exit 1 if that takes longer than SHUTDOWN_TIMEOUT_MS.
 */
export async function runService<C extends ServiceConfig>(definition: ServiceDefinition<C>): Promise<void> {
  let config: C;
  try {
    config = loadConfig(definition.configSchema as unknown as z.ZodObject, process.env) as C;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  collectProcessMetrics();
  const app = await NestFactory.create<NestFastifyApplication>(
    definition.createModule(config),
    new FastifyAdapter({ bodyLimit: config.HTTP_BODY_LIMIT_BYTES }),
    { bufferLogs: true },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  instrumentHttp(app.getHttpAdapter().getInstance());
  setUpOpenApi(app, definition, config);

  const transport = app.get(KafkaTransport);
  app.connectMicroservice({ strategy: transport }).useGlobalFilters(new RethrowRpcErrorsFilter());

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
      // Consumers first, while the producer and the database are still there for in-flight work.
      await transport.close();
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

  await app.startAllMicroservices();
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.log(`${definition.name} listening on ${config.HOST}:${config.PORT}`);
}

function setUpOpenApi(app: INestApplication, definition: { name: string; description: string }, config: ServiceConfig): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Newsroom ${definition.name}`)
      .setDescription(definition.description)
      .setVersion(config.CODE_VERSION)
      .addApiKey({ type: 'apiKey', name: 'x-api-key', in: 'header' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
