// Tracing must patch http and pg before anything loads them: keep this import first.
import './tracing';
import { runService } from '@newsroom/platform';
import { AppModule } from './app.module';
import { configSchema } from './config';
import { migrations } from './migrations';

void runService({
  name: 'feature-store',
  description: 'Keeps online and point-in-time features and writes versioned dataset snapshots.',
  schema: 'features',
  migrations,
  configSchema,
  createModule: (config) => AppModule.register(config),
});
