import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Kernels the WebAssembly backend lacks but training needs. `UnsortedSegmentSum` is the gradient of
 * `gather`, i.e. of every embedding lookup: without it the wasm backend can only run inference.
 * Implemented on the backend's own heap (no copies through JavaScript tensors).
 */
export function registerWasmTrainingKernels(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as BackendWasm;
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      // Rows of x (its first segmentIds-rank dimensions) are summed into numSegments rows.
      const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
      const rowSize = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
      const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
      const values = wasm.typedArrayFromHeap(x);
      const ids = wasm.typedArrayFromHeap(segmentIds);
      const sums = wasm.typedArrayFromHeap(out);
      sums.fill(0);
      for (let r = 0; r < rows; r++) {
        const segment = ids[r];
        if (segment < 0 || segment >= numSegments) continue;
        const from = r * rowSize;
        const to = segment * rowSize;
        for (let k = 0; k < rowSize; k++) sums[to + k] += values[from + k];
      }
      return out;
    },
  });
}
