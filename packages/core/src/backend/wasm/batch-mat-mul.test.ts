import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { makeBatchMatMulWasm, planMatMul, type MatMulPlan } from './batch-mat-mul.js';
import { registerWasmTrainingKernels } from './index.js';
import { originalWasmKernel } from './kernel-utils.js';
import { relativeError, values } from './__fixtures__/values.js';

interface MatMulCase {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

/** Runs BatchMatMul on the named backend with seeded inputs and returns its shape and values. */
async function matMul(backend: string, c: MatMulCase): Promise<{ shape: number[]; data: Float32Array }> {
  await tf.setBackend(backend);
  const a = tf.tensor(values(tf.util.sizeFromShape(c.a), 11), c.a);
  const b = tf.tensor(values(tf.util.sizeFromShape(c.b), 12), c.b);
  const out = tf.engine().runKernel(tf.BatchMatMul, { a, b }, { transposeA: c.transposeA, transposeB: c.transposeB }) as tf.Tensor;
  const result = { shape: out.shape, data: (await out.data()) as Float32Array };
  tf.dispose([a, b, out]);
  return result;
}

// The AE bottleneck's Dense layers (1024→2048→16→2048→1024) at batch 4-16: forward and both backward products.
const CASES: Array<[string, MatMulCase]> = [
  ['dense forward, no flags', { a: [16, 1024], b: [1024, 2048], transposeA: false, transposeB: false }],
  ['dense dX = dY·Wᵀ', { a: [16, 2048], b: [1024, 2048], transposeA: false, transposeB: true }],
  ['dense dW = Xᵀ·dY', { a: [16, 1024], b: [16, 2048], transposeA: true, transposeB: false }],
  ['latent dX, 2048→16', { a: [8, 16], b: [2048, 16], transposeA: false, transposeB: true }],
  ['latent dW, 16→2048', { a: [4, 16], b: [4, 2048], transposeA: true, transposeB: false }],
  ['both flags', { a: [33, 7], b: [5, 33], transposeA: true, transposeB: true }],
  ['gram matrix X·Xᵀ', { a: [16, 300], b: [16, 300], transposeA: false, transposeB: true }],
  ['rank 3, batch 1', { a: [1, 9, 13], b: [1, 11, 13], transposeA: false, transposeB: true }],
  ['batched, stock path', { a: [3, 13, 9], b: [3, 13, 11], transposeA: true, transposeB: false }],
  ['broadcast batch, stock path', { a: [1, 9, 13], b: [4, 11, 13], transposeA: false, transposeB: true }],
];

describe('makeBatchMatMulWasm', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  it.each(CASES)('matches cpu: %s', async (_name, c) => {
    const want = await matMul('cpu', c);
    const got = await matMul('wasm', c);

    expect(got.shape).toEqual(want.shape);
    expect(relativeError(got.data, want.data)).toBeLessThanOrEqual(1e-4);
  });

  it('matches the stock kernel', async () => {
    await tf.setBackend('wasm');
    const stock = originalWasmKernel(tf.BatchMatMul);
    const a = tf.tensor2d(values(64 * 1024, 13), [64, 1024]);
    const b = tf.tensor2d(values(2048 * 1024, 14), [2048, 1024]);
    const attrs = { transposeA: false, transposeB: true };

    const fast = tf.engine().runKernel(tf.BatchMatMul, { a, b }, attrs) as tf.Tensor;
    const slowInfo = stock!({ inputs: { a, b }, backend: tf.backend(), attrs }) as tf.TensorInfo;
    const slow = tf.engine().makeTensorFromTensorInfo(slowInfo);

    expect(stock).toBeTypeOf('function');
    expect(relativeError(await fast.data(), await slow.data())).toBeLessThanOrEqual(1e-5);
    tf.dispose([a, b, fast, slow]);
  });

  it('plans the cheaper form', () => {
    expect(planMatMul(64, 1024, 2048, false, false)).toEqual({ form: 'stock', copied: 0 });
    // A·Bᵀ with a large B: (B·Aᵀ)ᵀ copies A (64·2048) and C (64·1024) instead of B (2048·1024).
    expect(planMatMul(64, 2048, 1024, false, true)).toEqual({ form: 'swapped', copied: 64 * 2048 + 64 * 1024 });
    // Aᵀ·B with a small A: transposing A is cheapest.
    expect(planMatMul(1024, 64, 2048, true, false)).toEqual({ form: 'direct', copied: 1024 * 64 });
    // A·Bᵀ with a small B: transposing B directly.
    expect(planMatMul(300, 40, 5, false, true)).toEqual({ form: 'direct', copied: 40 * 5 });
  });

  it('leaks no tensors or buffers', async () => {
    await tf.setBackend('wasm');
    const cases = CASES.slice(1, 3).map(([, c]) => c);
    for (const c of cases) await matMul('wasm', c);
    const before = tf.memory();
    // Kernel temporaries live only in the backend, so count its buffers too.
    const buffersBefore = tf.backend().numDataIds();

    for (let i = 0; i < 3; i++) {
      for (const c of cases) await matMul('wasm', c);
    }

    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(tf.backend().numDataIds()).toBe(buffersBefore);
  });

  it('throws without stock kernel', () => {
    expect(() => makeBatchMatMulWasm(null)).toThrow(/stock wasm 'BatchMatMul' kernel is missing/);
    expectTypeOf(planMatMul).returns.toEqualTypeOf<MatMulPlan>();
  });
});
