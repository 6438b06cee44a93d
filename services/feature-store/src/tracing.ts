import { startTracing } from '@newsroom/observability/tracing';

startTracing('feature-store');
