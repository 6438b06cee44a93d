/** Test helpers for code that uses this lib: `@newsroom/persistence/testing`. */
export * from './test-schema';
