// Webpack settings shared by every service: a Node bundle of the service and the workspace libs
// it imports, with npm packages left external (installed in the image by `npm ci --omit=dev`).
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { basename, join } = require('node:path');

module.exports = function serviceWebpackConfig(serviceDir) {
  const outputPath = join(__dirname, '../../dist/services', basename(serviceDir));
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
