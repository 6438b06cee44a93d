import { startTracing } from '@newsroom/observability/tracing';

// The recommendations read is a lookup in memory that calls nothing: a span per request would
// cost more than the answer (each response is on recommendations.served with its request id).
startTracing('serving', { untracedPaths: ['/v1/users/'] });
