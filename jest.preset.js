// Shared Jest settings: SWC (with decorator metadata, which NestJS DI needs) instead of ts-jest,
// because type-checking belongs to the build and lint; tests should start fast on 2 cores.
const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // CI runs two projects' tests at once on 2 cores: a test that simulates a world may take a while.
  testTimeout: 30_000,
  coverageReporters: ['text-summary'],
};
