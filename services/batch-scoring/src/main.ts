// Tracing must patch http and pg before anything loads them: keep this import first.
import './tracing';
import { runService } from '@newsroom/platform';
import { AppModule } from './app.module';
import { configSchema } from './config';
import { migrations } from './migrations';

void runService({
  name: 'batch-scoring',
  description: 'Scores every reader against the fresh articles and publishes their top-50 lists.',
  schema: 'scoring',
  migrations,
  configSchema,
  createModule: (config) => AppModule.register(config),
});
