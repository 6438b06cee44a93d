export * from './liveness-watch';
export * from './private-postgres';
export * from './servers';
export * from './service-process';
export * from './unique';
export * from './wait-for';
export * from './observability-queries';
export * from './otlp-receiver';
