export * from './access-log';
export * from './health/health-probe';
export * from './health/health.controller';
export * from './http-metrics';
export * from './logging';
export * from './metrics';
export * from './metrics.controller';
export * from './probe-paths';
