// Webpack settings shared by every Node app (services, ops CLI): one bundle of the app and the
// workspace libs it imports, type-checked by ts-loader; npm packages stay external (the image
// installs them with `npm ci --omit=dev`), which also keeps OpenTelemetry's require hooks working.
const { basename, dirname, join, relative } = require('node:path');
const { compilerOptions } = require('../../tsconfig.base.json');

const workspaceRoot = join(__dirname, '../..');

/** tsconfig `paths` ("@newsroom/x": ["libs/x/src/index.ts"]) as webpack aliases, exact matches only. */
const aliases = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([name, [target]]) => [`${name}$`, join(workspaceRoot, target)]),
);

/** `extraEntries`: more bundles next to main.js (worker-thread scripts), name → path from the app. */
module.exports = function nodeAppWebpackConfig(appDir, extraEntries = {}) {
  // services/ingestion -> dist/services/ingestion, tools/ops -> dist/tools/ops
  const isService = relative(workspaceRoot, appDir).startsWith('services/');
  const outputPath = join(workspaceRoot, 'dist', relative(workspaceRoot, dirname(appDir)), basename(appDir));
  return {
    mode: 'none',
    target: 'node20',
    context: appDir,
    entry: {
      main: './src/main.ts',
      // Services run their outbox relay in a worker thread (libs/persistence), loaded from next to main.js.
      ...(isService ? { 'outbox-relay.worker': join(workspaceRoot, 'libs/persistence/src/outbox-relay.worker.ts') } : {}),
      ...extraEntries,
    },
    // Keep Node's own __dirname: main.js finds the worker script next to itself.
    node: { __dirname: false, __filename: false },
    devtool: 'source-map',
    output: { path: outputPath, filename: '[name].js', clean: true, devtoolModuleFilenameTemplate: '[absolute-resource-path]' },
    resolve: { extensions: ['.ts', '.js'], alias: aliases },
    externalsPresets: { node: true },
    externals: [
      ({ request }, callback) =>
        /^[.\/]/.test(request) || request.startsWith('@newsroom/') ? callback() : callback(null, `commonjs ${request}`),
    ],
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          loader: 'ts-loader',
          // Types are checked once for the whole workspace (`tsc -p tsconfig.json` in npm test, and lint);
          // checking them again in every app's bundle made a cold build of the platform take minutes.
          options: { configFile: join(appDir, 'tsconfig.app.json'), onlyCompileBundledFiles: true, transpileOnly: true },
        },
      ],
    },
    optimization: { minimize: false, nodeEnv: false },
    stats: 'errors-warnings',
  };
};
