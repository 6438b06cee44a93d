import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { registerWasmTrainingKernels } from './wasm-training-kernels';

/** TensorFlow.js backends in order of speed on a server. */
export const backendNames = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];

export interface BackendChoice {
  name: BackendName;
  /** Why faster backends were passed over, for the start-up log. */
  skipped: { name: BackendName; reason: string }[];
}

/**
 * Loads a backend package by name at run time. `@tensorflow/tfjs-node` is optional (its native
 * library comes from tools/native-tf, where the machine can have it), so nothing may import it statically.
 */
type Loader = (name: string) => unknown;
// createRequire, not require: a bundler must leave the package to Node's resolution at run time.
const loadPackage: Loader = (name) => createRequire(__filename)(name);

async function activate(name: BackendName, load: Loader): Promise<void> {
  if (name === 'tensorflow') {
    // The wheel's library is built for AVX and aborts the whole process where it is missing (a
    // node other than the one that built the image): refuse it here instead, and fall back.
    if (process.platform === 'linux' && !/\bavx\b/.test(readFileSync('/proc/cpuinfo', 'utf8')))
      throw new Error('this CPU has no AVX, which native TensorFlow needs');
    load('@tensorflow/tfjs-node');
  }
  if (name === 'wasm') {
    load('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
  }
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') refused`);
  await tf.ready();
}

/**
 * Chooses the fastest backend that loads here, among `allowed` (all by default): native TensorFlow
 * when `@tensorflow/tfjs-node` is installed and loads, else WebAssembly (SIMD where the runtime
 * has it), else plain JavaScript.
 */
export async function selectBackend(
  allowed: readonly BackendName[] = backendNames,
  load: Loader = loadPackage,
): Promise<BackendChoice> {
  // Production mode: no debug checks, and no advice to install tfjs-node on every start.
  tf.env().set('PROD', true);
  const skipped: BackendChoice['skipped'] = [];
  for (const name of backendNames.filter((b) => allowed.includes(b))) {
    try {
      await activate(name, load);
      return { name, skipped };
    } catch (error) {
      skipped.push({ name, reason: (error as Error).message.split('\n')[0] });
    }
  }
  throw new Error(`no TensorFlow.js backend among ${allowed.join(', ')} loads: ${JSON.stringify(skipped)}`);
}

/** `ML_BACKENDS`: the backends a service may use, in order of preference (comma-separated). */
export const mlBackendEnv = {
  ML_BACKENDS: z
    .string()
    .default(backendNames.join(','))
    .transform((value) => value.split(',').map((name) => name.trim()))
    .pipe(z.array(z.enum(backendNames)).min(1)),
};
