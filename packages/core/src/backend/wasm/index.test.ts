import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

// The project's gradient registration (tfjs-core's Node build ships no gradient functions).
import '../gradients.js';
import { WASM_TRAINING_KERNELS, registerWasmTrainingKernels } from './index.js';
import { originalWasmKernel } from './kernel-utils.js';
import { relativeError, values } from './__fixtures__/values.js';

const PAD1: tf.conv_util.ExplicitPadding = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

const KERNELS = [...WASM_TRAINING_KERNELS];

describe('registerWasmTrainingKernels', () => {
  beforeAll(async () => {
    // This file registers after the backend initialised; the kernel tests register before.
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  it('installs every listed kernel', () => {
    expect(originalWasmKernel(tf.Conv2DBackpropFilter)).toBeNull();
    for (const name of [tf.BatchMatMul, tf.Conv2DBackpropInput, tf.Sum, tf.Mean, tf.SplitV, tf.Concat, tf.Identity, tf.Cast]) {
      expect(originalWasmKernel(name)).toBeTypeOf('function');
    }
    expect(KERNELS).toHaveLength(9);
  });

  it('is idempotent', () => {
    const before = KERNELS.map((name) => tf.getKernel(name, 'wasm').kernelFunc);

    registerWasmTrainingKernels();

    const after = KERNELS.map((name) => tf.getKernel(name, 'wasm').kernelFunc);
    after.forEach((kernelFunc, i) => expect(kernelFunc).toBe(before[i]));
    expectTypeOf(registerWasmTrainingKernels).returns.toEqualTypeOf<void>();
  });

  it('trains through tf.grads', async () => {
    // Gradients of a small conv net's loss, wasm against cpu (conv, transposed conv, dense).
    const run = async (backend: string): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(values(4 * 16 * 16, 5), [4, 16, 16, 1]);
      const w1 = tf.mul(tf.tensor4d(values(4 * 4 * 1 * 8, 6), [4, 4, 1, 8]), 0.3);
      const w2 = tf.mul(tf.tensor4d(values(4 * 4 * 8 * 16, 7), [4, 4, 8, 16]), 0.2);
      const wd = tf.mul(tf.tensor2d(values(4 * 4 * 16 * 8, 8), [256, 8]), 0.1);
      const wu = tf.mul(tf.tensor2d(values(8 * 256, 9), [8, 256]), 0.1);
      const wt = tf.mul(tf.tensor4d(values(4 * 4 * 8 * 16, 10), [4, 4, 8, 16]), 0.2);
      const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor, e: tf.Tensor): tf.Scalar => {
        const h1 = tf.relu(tf.conv2d(x, a as tf.Tensor4D, 2, PAD1));
        const h2 = tf.relu(tf.conv2d(h1, b as tf.Tensor4D, 2, PAD1));
        const z = tf.matMul(tf.reshape(h2, [4, 256]), c);
        const u = tf.reshape(tf.relu(tf.matMul(z, d)), [4, 4, 4, 16]);
        const up = tf.conv2dTranspose(u, e as tf.Tensor4D, [4, 8, 8, 8], 2, 'same');
        return tf.mean(tf.square(tf.sub(up, tf.slice(h1, [0, 0, 0, 0], [4, 8, 8, 8]))));
      };
      const grads = tf.grads(loss)([w1, w2, wd, wu, wt]);
      const out = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
      tf.dispose([x, w1, w2, wd, wu, wt, ...grads]);
      return out;
    };

    const want = await run('cpu');
    const got = await run('wasm');

    expect(got).toHaveLength(5);
    got.forEach((g, i) => expect(relativeError(g, want[i] as Float32Array)).toBeLessThanOrEqual(1e-4));
  });

  it('keeps tensor counts flat', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(values(4 * 16 * 16, 31), [4, 16, 16, 1]);
    const w = tf.tensor4d(values(4 * 4 * 8, 32), [4, 4, 1, 8]);
    const step = (): void => {
      const g = tf.grad((v: tf.Tensor4D) => tf.mean(tf.square(tf.conv2dTranspose(tf.conv2d(x, v, 2, PAD1), v, [4, 16, 16, 1], 2, PAD1))))(w);
      g.dispose();
    };
    step();
    const before = tf.memory();
    // Kernel temporaries live only in the backend, so count its buffers too.
    const buffersBefore = tf.backend().numDataIds();

    for (let i = 0; i < 3; i++) step();

    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(tf.backend().numDataIds()).toBe(buffersBefore);
    tf.dispose([x, w]);
  });
});
