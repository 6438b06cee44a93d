export * from './backend';
export * from './ranking-metrics';
