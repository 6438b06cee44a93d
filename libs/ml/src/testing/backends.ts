import { BackendName, backendNames, selectBackend } from '../backend';

/**
 * The backend this run of libs/ml's tests computes on. jest.config.js runs the tests once per
 * backend the services use that loads here (native TensorFlow where tools/native-tf installed it,
 * and WebAssembly), setting it as a Jest global.
 */
export function backendUnderTest(): BackendName {
  return (globalThis as { mlBackendUnderTest?: BackendName }).mlBackendUnderTest ?? 'wasm';
}

/** Every backend that loads in this process, fastest first; the last one tried stays selected. */
export async function backendsPresent(): Promise<BackendName[]> {
  const present: BackendName[] = [];
  for (const name of backendNames) {
    try {
      await selectBackend([name]);
      present.push(name);
    } catch {
      // Not installed here (tfjs-node), or not loadable: not present.
    }
  }
  return present;
}
