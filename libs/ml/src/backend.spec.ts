import * as tf from '@tensorflow/tfjs';
import { BackendName, selectBackend } from './backend';
import { backendsPresent } from './testing/backends';

/** The gradient of a small embedding model: gathers, a matmul, a softmax cross-entropy. */
function embeddingGradient(): { loss: number; gradient: Float32Array } {
  return tf.tidy(() => {
    const table = tf.variable(tf.randomNormal([50, 8], 0, 1, 'float32', 7));
    const ids = tf.tensor2d(
      [
        [1, 5, 5, 9],
        [2, 3, 49, 0],
      ],
      undefined,
      'int32',
    );
    const labels = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 2);
    const f = () => {
      const bags = tf.mean(tf.gather(table, ids), 1); // [2, 8]
      const logits = tf.matMul(bags, bags, false, true); // [2, 2]
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    };
    const { value, grads } = tf.variableGrads(f, [table]);
    return { loss: value.dataSync()[0], gradient: grads[table.name].dataSync() as Float32Array };
  });
}

describe('selectBackend', () => {
  it('skips tfjs-node when it is not installed, and says why', async () => {
    const choice = await selectBackend(['tensorflow', 'cpu'], (name) => {
      throw new Error(`Cannot find module '${name}'`);
    });
    expect(choice.name).toBe('cpu');
    expect(choice.skipped).toEqual([
      { name: 'tensorflow', reason: "Cannot find module '@tensorflow/tfjs-node'" },
    ]);
  });

  it('trains an embedding on every backend present, with the same results within float tolerance', async () => {
    const results = new Map<BackendName, { loss: number; gradient: Float32Array }>();
    for (const name of await backendsPresent()) {
      const choice = await selectBackend([name]);
      expect(choice.name).toBe(name);
      results.set(name, embeddingGradient());
    }
    expect([...results.keys()]).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    const cpu = results.get('cpu')!;
    for (const [name, result] of results) {
      expect({ name, loss: result.loss }).toEqual({ name, loss: expect.closeTo(cpu.loss, 5) });
      expect(Array.from(result.gradient).some((g) => g !== 0)).toBe(true);
      for (let i = 0; i < cpu.gradient.length; i++)
        expect(result.gradient[i]).toBeCloseTo(cpu.gradient[i], 5);
    }
  });
});
