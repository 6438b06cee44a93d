// Tracing must patch http and pg before anything loads them: keep this import first.
import './tracing';
import { runService } from '@newsroom/platform';
import { AppModule } from './app.module';
import { configSchema } from './config';
import { migrations } from './migrations';

void runService({
  name: 'monitoring',
  description: 'Watches data, models and pipelines, and raises alerts.',
  schema: 'monitoring',
  migrations,
  configSchema,
  createModule: (config) => AppModule.register(config),
});
