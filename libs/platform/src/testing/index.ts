/** Test helpers for services built on this lib: `@newsroom/platform/testing`. */
export * from './service-lifecycle';
export * from './service-world';
