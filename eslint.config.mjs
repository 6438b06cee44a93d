import nx from '@nx/eslint-plugin';

/** What the two lowest layers of libs may not import: they run anywhere, a worker thread included. */
const serverFrameworks = ['@nestjs/*', 'typeorm', 'pg', 'kafkajs', 'fastify', 'prom-client'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.nx',
      '.local/**',
      'tmp/**',
      '**/*.config.js',
      'jest.preset.js',
      'tools/build/**',
      'libs/testing/jest-int-config.js',
    ],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: {
      // The architecture rule: services talk only through Kafka, so a service never imports another
      // service, and libs never import services. Libs are layered, and a lower layer never imports
      // a higher one: core (contracts, config, artifacts: plain TypeScript) < model (ml: the model's
      // math, no Nest, SQL or Kafka) and infra (observability, messaging, persistence, testing:
      // plumbing) < app (platform, datagen: what services are built from).
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            {
              sourceTag: 'layer:core',
              onlyDependOnLibsWithTags: ['layer:core'],
              bannedExternalImports: serverFrameworks,
            },
            {
              sourceTag: 'layer:model',
              onlyDependOnLibsWithTags: ['layer:core', 'layer:model'],
              bannedExternalImports: serverFrameworks,
            },
            { sourceTag: 'layer:infra', onlyDependOnLibsWithTags: ['layer:core', 'layer:infra'] },
            {
              sourceTag: 'layer:app',
              onlyDependOnLibsWithTags: ['layer:core', 'layer:model', 'layer:infra', 'layer:app'],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
