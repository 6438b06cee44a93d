// Tracing must patch http and pg before anything loads them: keep this import first.
import './tracing';
import { runService } from '@newsroom/platform';
import { AppModule } from './app.module';
import { configSchema } from './config';
import { migrations } from './migrations';

void runService({
  name: 'ingestion',
  description: 'Validates article and reading events from Kafka and HTTP and stores them in the warehouse.',
  schema: 'warehouse',
  migrations,
  configSchema,
  createModule: (config) => AppModule.register(config),
});
