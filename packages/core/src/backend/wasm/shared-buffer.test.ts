import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

// The project's gradient registration (tfjs-core's Node build ships no gradient functions).
import '../gradients.js';
import { registerWasmTrainingKernels } from './index.js';
import { makeCastWasm } from './shared-buffer.js';

describe('wasm Identity and same-dtype Cast', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  it('shares the buffer and keeps it while a reference lives', async () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const buffersBefore = tf.backend().numDataIds();

    const copy = tf.clone(x);
    const same = tf.cast(x, 'float32');

    expect(copy.dataId).toBe(x.dataId);
    expect(same.dataId).toBe(x.dataId);
    expect(tf.backend().numDataIds()).toBe(buffersBefore);
    x.dispose();
    copy.dispose();
    expect(Array.from(await same.data())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(same.shape).toEqual([2, 3]);
    same.dispose();
    expect(tf.backend().numDataIds()).toBe(buffersBefore - 1);
  });

  it('still converts to another dtype', async () => {
    const x = tf.tensor1d([1.75, -2.5, 3]);

    const ints = tf.cast(x, 'int32');

    expect(ints.dataId).not.toBe(x.dataId);
    expect(ints.dtype).toBe('int32');
    expect(Array.from(await ints.data())).toEqual([1, -2, 3]);
    tf.dispose([x, ints]);
  });

  it('keeps gradients that save their inputs', async () => {
    // Multiply saves both inputs through Identity; the gradient must read the values they had.
    const x = tf.tensor1d([1, 2, 3]);
    const w = tf.variable(tf.tensor1d([4, 5, 6]));

    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(x, w)) as tf.Scalar, [w]);
    w.assign(tf.tensor1d([0, 0, 0]));

    expect(Array.from(await grads[w.name]!.data())).toEqual([1, 2, 3]);
    tf.dispose([x, w, grads[w.name]!]);
  });

  it('copies strings with the stock kernel', () => {
    const s = tf.tensor1d(['a', 'b'], 'string');

    const copy = tf.clone(s);

    expect(copy.dataSync()).toEqual(s.dataSync());
    tf.dispose([s, copy]);
  });

  it('throws without stock kernel', () => {
    expect(() => makeCastWasm(null)).toThrow(/stock wasm 'Cast' kernel is missing/);
  });
});
