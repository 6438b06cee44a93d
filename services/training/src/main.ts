// Tracing must patch http and pg before anything loads them: keep this import first.
import './tracing';
import { runService } from '@newsroom/platform';
import { AppModule } from './app.module';
import { configSchema } from './config';
import { migrations } from './migrations';

void runService({
  name: 'training',
  description: 'Trains the two-tower recommendation model with TensorFlow.js and tracks every run.',
  schema: 'training',
  migrations,
  configSchema,
  createModule: (config) => AppModule.register(config),
});
