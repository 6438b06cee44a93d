// Tracing must patch http and pg before anything loads them: keep this import first.
import './tracing';
import { runService } from '@newsroom/platform';
import { AppModule } from './app.module';
import { configSchema } from './config';
import { migrations } from './migrations';

void runService({
  name: 'registry',
  description: 'Registers model versions with their lineage; promotes, rejects and rolls back champions.',
  schema: 'registry',
  migrations,
  configSchema,
  createModule: (config) => AppModule.register(config),
});
