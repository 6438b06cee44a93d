export * from './backend';
export * from './ranking-metrics';
export * from './dataset';
export * from './feature-encoder';
export * from './two-tower';
export * from './train';
export * from './held-out';
