// Tracing must patch http and pg before anything loads them: keep this import first.
import './tracing';
import { runService } from '@newsroom/platform';
import { AppModule } from './app.module';
import { configSchema } from './config';
import { migrations } from './migrations';

void runService({
  name: 'serving',
  description: "Serves each reader's top articles over HTTP with low latency.",
  schema: 'serving',
  migrations,
  configSchema,
  createModule: (config) => AppModule.register(config),
});
