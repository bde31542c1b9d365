import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

// The project's gradient registration (tfjs-core's Node build ships no gradient functions).
import '../gradients.js';
import { registerWasmTrainingKernels } from './index.js';
import { makeConcatWasm, makeSplitVWasm } from './split-concat.js';
import { relativeError, values } from './__fixtures__/values.js';

/** Splits seeded values on the named backend and returns each part's shape and values. */
async function split(backend: string, shape: number[], sizes: number | number[], axis: number): Promise<Array<{ shape: number[]; data: Float32Array }>> {
  await tf.setBackend(backend);
  const x = tf.tensor(values(tf.util.sizeFromShape(shape), 31), shape);
  const parts = tf.split(x, sizes, axis);
  const result = await Promise.all(parts.map(async (p) => ({ shape: p.shape, data: (await p.data()) as Float32Array })));
  tf.dispose([x, ...parts]);
  return result;
}

/** Concatenates seeded tensors of the given shapes on the named backend. */
async function concat(backend: string, shapes: number[][], axis: number): Promise<{ shape: number[]; data: Float32Array }> {
  await tf.setBackend(backend);
  const parts = shapes.map((shape, i) => tf.tensor(values(tf.util.sizeFromShape(shape), 40 + i), shape));
  const out = tf.concat(parts, axis);
  const result = { shape: out.shape, data: (await out.data()) as Float32Array };
  tf.dispose([out, ...parts]);
  return result;
}

const SPLITS: Array<[string, number[], number | number[], number]> = [
  ['AE-U output channels, [4, 16, 16, 2] in 2', [4, 16, 16, 2], 2, 3],
  ['uneven channels, [3, 5, 7, 6] as 1, 2, 3', [3, 5, 7, 6], [1, 2, 3], 3],
  ['negative axis, [6, 4, 3] as 3, 1 on axis −2', [6, 4, 3], [3, 1], -2],
  ['negative last axis, [6, 4, 3] in 3', [6, 4, 3], 3, -1],
  ['middle axis, [5, 4, 2] in 4', [5, 4, 2], 4, 1],
  ['long runs (stock path), [4, 8, 40] in 2', [4, 8, 40], 2, 2],
  ['leading axis (stock path), [6, 3] in 3', [6, 3], 3, 0],
];

const CONCATS: Array<[string, number[][], number]> = [
  ['AE-U gradient, two [4, 16, 16, 1]', [[4, 16, 16, 1], [4, 16, 16, 1]], 3],
  ['uneven, [3, 5, 7, 1] + [3, 5, 7, 2] + [3, 5, 7, 3]', [[3, 5, 7, 1], [3, 5, 7, 2], [3, 5, 7, 3]], 3],
  ['middle axis, [5, 1, 2] + [5, 3, 2]', [[5, 1, 2], [5, 3, 2]], 1],
  ['with an empty part, [4, 0] + [4, 2] + [4, 1]', [[4, 0], [4, 2], [4, 1]], 1],
  ['long runs (stock path), [4, 20] + [4, 30]', [[4, 20], [4, 30]], 1],
];

describe('wasm SplitV and Concat along inner axes', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  it.each(SPLITS)('split matches cpu: %s', async (_name, shape, sizes, axis) => {
    const want = await split('cpu', shape, sizes, axis);
    const got = await split('wasm', shape, sizes, axis);

    expect(got.map((p) => p.shape)).toEqual(want.map((p) => p.shape));
    got.forEach((p, i) => expect(relativeError(p.data, want[i]!.data)).toBe(0));
  });

  it.each(CONCATS)('concat matches cpu: %s', async (_name, shapes, axis) => {
    const want = await concat('cpu', shapes, axis);
    const got = await concat('wasm', shapes, axis);

    expect(got.shape).toEqual(want.shape);
    expect(relativeError(got.data, want.data)).toBe(0);
  });

  it('keeps Inf and NaN', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d([1, Infinity, NaN, -Infinity, 3, 4, 5, 6], [1, 2, 2, 2]);

    const [a, b] = tf.split(x, 2, 3);
    const back = tf.concat([a!, b!], 3);

    expect(Array.from(await a!.data())).toEqual([1, NaN, 3, 5]);
    expect(Array.from(await b!.data())).toEqual([Infinity, -Infinity, 4, 6]);
    expect(Array.from(await back.data())).toEqual(Array.from(await x.data()));
    tf.dispose([x, a!, b!, back]);
  });

  it('gives the gradient of a split', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(values(2 * 3 * 3 * 2, 50), [2, 3, 3, 2]);

    const grad = tf.grad((t: tf.Tensor) => {
      const [mean, logVariance] = tf.split(t, 2, 3);
      return tf.sum(tf.add(tf.mul(mean!, 2), tf.mul(logVariance!, 3)));
    })(x);

    expect(Array.from(await grad.data())).toEqual(Array.from({ length: 36 }, (_, i) => (i % 2 === 0 ? 2 : 3)));
    tf.dispose([x, grad]);
  });

  it('leaks no tensors or buffers', async () => {
    await split('wasm', [3, 5, 7, 6], [1, 2, 3], 3);
    await concat('wasm', [[3, 5, 7, 1], [3, 5, 7, 2]], 3);
    const before = tf.memory().numTensors;
    const buffersBefore = tf.backend().numDataIds();

    for (let i = 0; i < 3; i++) {
      await split('wasm', [3, 5, 7, 6], [1, 2, 3], 3);
      await concat('wasm', [[3, 5, 7, 1], [3, 5, 7, 2]], 3);
    }

    expect(tf.memory().numTensors).toBe(before);
    expect(tf.backend().numDataIds()).toBe(buffersBefore);
  });

  it('throws without stock kernel', () => {
    expect(() => makeSplitVWasm(null)).toThrow(/stock wasm 'SplitV' kernel is missing/);
    expect(() => makeConcatWasm(null)).toThrow(/stock wasm 'Concat' kernel is missing/);
  });
});
