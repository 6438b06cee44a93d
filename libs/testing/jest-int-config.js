// Jest settings for integration tests (`test/*.int-spec.ts`): real Kafka and PostgreSQL, found or
// started once by the global setup; files run one at a time since they share two small servers.
const { basename, join } = require('node:path');

module.exports = function integrationJestConfig(projectDir) {
  return {
    ...require('../../jest.preset.js'),
    displayName: `${basename(projectDir)}:int`,
    rootDir: projectDir,
    testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
    globalSetup: join(__dirname, 'src/global-setup.ts'),
    testTimeout: 120_000,
    maxWorkers: 1,
  };
};
