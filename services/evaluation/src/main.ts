// Tracing must patch http and pg before anything loads them: keep this import first.
import './tracing';
import { runService } from '@newsroom/platform';
import { AppModule } from './app.module';
import { configSchema } from './config';
import { migrations } from './migrations';

void runService({
  name: 'evaluation',
  description: 'Evaluates candidate models against the champion and the baselines, and gates promotion.',
  schema: 'evaluation',
  migrations,
  configSchema,
  createModule: (config) => AppModule.register(config),
});
