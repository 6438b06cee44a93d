// libs/ml's tests run once per backend the services compute on that loads here: native TensorFlow
// (where tools/native-tf installed @tensorflow/tfjs-node) and WebAssembly. Each run is a Jest
// project whose global `mlBackendUnderTest` names its backend (src/testing/backends.ts).
const { execFileSync } = require('node:child_process');

function nativeLoads() {
  try {
    execFileSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], {
      stdio: 'ignore',
      cwd: __dirname,
    });
    return true;
  } catch {
    return false;
  }
}

const native = nativeLoads();
if (!native && process.env.NEWSROOM_NATIVE_TF === 'required')
  throw new Error(
    'NEWSROOM_NATIVE_TF=required, and @tensorflow/tfjs-node does not load (bash tools/native-tf/install.sh)',
  );
const backends = [...(native ? ['tensorflow'] : []), 'wasm'];

module.exports = {
  projects: backends.map((backend) => ({
    ...require('../../jest.preset.js'),
    displayName: `ml:${backend}`,
    rootDir: __dirname,
    testMatch: ['<rootDir>/src/**/*.spec.ts'],
    globals: { mlBackendUnderTest: backend },
    // These compare every backend present in one run: once is enough.
    testPathIgnorePatterns: backend === 'wasm' ? [] : ['/backend(-parity)?\\.spec\\.ts$'],
  })),
};
