import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { makeMeanWasm, makeSumWasm, planChannelPool } from './channel-reduction.js';
import { registerWasmTrainingKernels } from './index.js';
import { relativeError, values } from './__fixtures__/values.js';

interface ReductionCase {
  shape: number[];
  axis: number | number[];
  keepDims: boolean;
}

/** Runs Sum or Mean on the named backend with seeded inputs and returns its shape and values. */
async function reduce(kernel: string, backend: string, c: ReductionCase): Promise<{ shape: number[]; data: Float32Array }> {
  await tf.setBackend(backend);
  const x = tf.tensor(values(tf.util.sizeFromShape(c.shape), 21), c.shape);
  const out = tf.engine().runKernel(kernel, { x }, { axis: c.axis, keepDims: c.keepDims }) as tf.Tensor;
  const result = { shape: out.shape, data: (await out.data()) as Float32Array };
  tf.dispose([x, out]);
  return result;
}

// BatchNorm's per-channel reductions in the backbones, odd row counts, keepDims, negative axes, and axes the
// kernel leaves to the stock one.
const CASES: Array<[string, ReductionCase]> = [
  ['encoder block 1, [64, 32, 32, 16]', { shape: [64, 32, 32, 16], axis: [0, 1, 2], keepDims: false }],
  ['encoder block 2, [64, 16, 16, 32]', { shape: [64, 16, 16, 32], axis: [0, 1, 2], keepDims: false }],
  ['bottleneck, [64, 4, 4, 64]', { shape: [64, 4, 4, 64], axis: [0, 1, 2], keepDims: true }],
  ['dense, [64, 2048]', { shape: [64, 2048], axis: 0, keepDims: false }],
  ['batch 3, [3, 17, 11, 5]', { shape: [3, 17, 11, 5], axis: [2, 0, 1], keepDims: false }],
  ['negative axes, [12, 10, 7]', { shape: [12, 10, 7], axis: [-3, -2], keepDims: true }],
  ['prime rows (stock path), [13, 4]', { shape: [13, 4], axis: 0, keepDims: false }],
  ['inner axes (stock path), [8, 16, 16, 4]', { shape: [8, 16, 16, 4], axis: [1, 2], keepDims: false }],
  ['all axes (stock path), [64, 8, 8, 2]', { shape: [64, 8, 8, 2], axis: [0, 1, 2, 3], keepDims: false }],
];

describe('wasm Sum and Mean over all axes but the last', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  it.each(CASES)('Sum matches cpu: %s', async (_name, c) => {
    const want = await reduce(tf.Sum, 'cpu', c);
    const got = await reduce(tf.Sum, 'wasm', c);

    expect(got.shape).toEqual(want.shape);
    expect(relativeError(got.data, want.data)).toBeLessThanOrEqual(1e-4);
  });

  it.each(CASES)('Mean matches cpu: %s', async (_name, c) => {
    const want = await reduce(tf.Mean, 'cpu', c);
    const got = await reduce(tf.Mean, 'wasm', c);

    expect(got.shape).toEqual(want.shape);
    expect(relativeError(got.data, want.data)).toBeLessThanOrEqual(1e-4);
  });

  it('sums a constant exactly', async () => {
    await tf.setBackend('wasm');
    const x = tf.fill([64, 32, 32, 16], 0.5);

    const sum = tf.sum(x, [0, 1, 2]);

    expect(Array.from(await sum.data())).toEqual(new Array(16).fill(0.5 * 64 * 32 * 32));
    tf.dispose([x, sum]);
  });

  it('plans windows that divide the rows', () => {
    expect(planChannelPool(64 * 32 * 32)).toEqual({ height: 64, width: 64 });
    expect(planChannelPool(64)).toEqual({ height: 1, width: 64 });
    expect(planChannelPool(3 * 17 * 11)).toEqual({ height: 11, width: 51 });
    expect(planChannelPool(13)).toBeNull();
    expect(planChannelPool(7 * 2)).toBeNull();
  });

  it('leaks no tensors or buffers', async () => {
    await tf.setBackend('wasm');
    const cases = CASES.slice(0, 5).map(([, c]) => c);
    for (const c of cases) await reduce(tf.Sum, 'wasm', c);
    const before = tf.memory();
    const buffersBefore = tf.backend().numDataIds();

    for (const c of cases) {
      await reduce(tf.Sum, 'wasm', c);
      await reduce(tf.Mean, 'wasm', c);
    }

    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.backend().numDataIds()).toBe(buffersBefore);
  });

  it('throws without stock kernel', () => {
    expect(() => makeSumWasm(null)).toThrow(/stock wasm 'Sum' kernel is missing/);
    expect(() => makeMeanWasm(null)).toThrow(/stock wasm 'Mean' kernel is missing/);
  });
});
