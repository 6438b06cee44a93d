module.exports = {
  displayName: 'batch-scoring',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
