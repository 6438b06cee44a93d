// Tracing must patch http and pg before anything loads them: keep this import first.
import './tracing';
import { runService } from '@newsroom/platform';
import { AppModule } from './app.module';
import { configSchema } from './config';
import { migrations } from './migrations';
import { recommendationsOpenApi } from './recommendations/recommendations.openapi';

void runService({
  name: 'serving',
  description: "Serves each reader's top articles over HTTP with low latency.",
  schema: 'serving',
  migrations,
  configSchema,
  createModule: (config) => AppModule.register(config),
  openApiPaths: recommendationsOpenApi,
  // Every response is on recommendations.served (with its request id): no access-log line as well.
  quietPaths: ['/v1/users/'],
});
