import { startTracing } from '@newsroom/observability/tracing';

startTracing('training');
