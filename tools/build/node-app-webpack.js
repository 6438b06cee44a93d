// Webpack settings shared by every Node app (services, ops CLI): a bundle of the app and the
// workspace libs it imports, with npm packages left external (installed by `npm ci --omit=dev`).
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { basename, dirname, join, relative } = require('node:path');

const workspaceRoot = join(__dirname, '../..');

module.exports = function nodeAppWebpackConfig(appDir) {
  // services/ingestion -> dist/services/ingestion, tools/ops -> dist/tools/ops
  const outputPath = join(workspaceRoot, 'dist', relative(workspaceRoot, dirname(appDir)), basename(appDir));
  return {
    output: { path: outputPath, clean: true },
    devtool: 'source-map',
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        outputPath,
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: false,
        sourceMap: true,
        externalDependencies: 'all',
      }),
    ],
  };
};
