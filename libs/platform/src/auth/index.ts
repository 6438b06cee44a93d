export * from './api-key.guard';
export * from './rate-limiter';
