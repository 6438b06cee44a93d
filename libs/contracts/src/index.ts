export * from './envelope';
export * from './events';
export * from './external';
export * from './topics';
export * from './validation';
export * from './examples';
export * from './datasets';
export * from './token-hashing';
