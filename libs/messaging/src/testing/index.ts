/** Test helpers for code that uses this lib: `@newsroom/messaging/testing`. */
export * from './test-topics';
export * from './private-kafka';
