import { startTracing } from '@newsroom/observability/tracing';

startTracing('batch-scoring');
