import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@d2ue/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { batchNormTraining } from './batch-norm-training.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** Normalises `x` with plain ops, so that tfjs's autodiff gives the reference gradient. */
function reference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))), gamma), beta);
}

/** max |a − b| / max |b| over all values. */
function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(tf.max(tf.abs(b)).dataSync()[0]!, 1e-30));
}

describe('batchNormTraining', () => {
  it.each([
    ['dense [16, 5]', [16, 5]],
    ['conv [4, 6, 5, 3]', [4, 6, 5, 3]],
  ])('matches autodiff of the plain formula: %s', (_name, shape) => {
    tf.tidy(() => {
      const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 3), 2), 0.5);
      const gamma = tf.randomUniform([shape.at(-1)!], 0.5, 1.5, 'float32', 4) as tf.Tensor1D;
      const beta = tf.randomUniform([shape.at(-1)!], -1, 1, 'float32', 5) as tf.Tensor1D;
      // A loss that weights every output differently, so that every term of the gradient matters.
      const weights = tf.randomNormal(shape, 0, 1, 'float32', 6);
      const loss = (f: (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(tf.square(f(a, b, c)), weights)) as tf.Scalar;

      const custom = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor => {
        const { y, mean, variance } = batchNormTraining(a, b as tf.Tensor1D, c as tf.Tensor1D, 1e-5);
        tf.dispose([mean, variance]);
        return y;
      };
      const got = tf.grads(loss(custom))([x, gamma, beta]);
      const want = tf.grads(loss((a, b, c) => reference(a, b, c, 1e-5)))([x, gamma, beta]);

      expect(relativeError(custom(x, gamma, beta), reference(x, gamma, beta, 1e-5))).toBeLessThan(1e-5);
      got.forEach((g, i) => {
        expect(g.shape).toEqual(want[i]!.shape);
        expect(relativeError(g, want[i]!)).toBeLessThan(1e-5);
      });
    });
  });

  it('returns the batch mean and biased variance', () => {
    const x = tf.tensor2d([1, 10, 3, 20, 5, 60], [3, 2]);
    const gamma = tf.ones([2]) as tf.Tensor1D;
    const beta = tf.zeros([2]) as tf.Tensor1D;

    const { y, mean, variance } = batchNormTraining(x, gamma, beta, 0);

    expect(Array.from(mean.dataSync())).toEqual([3, 30]);
    expect(Array.from(variance.dataSync())).toEqual([8 / 3, 1400 / 3].map((v) => Math.fround(v)));
    expect(y.shape).toEqual([3, 2]);
    tf.dispose([x, gamma, beta, y, mean, variance]);
  });

  it('leaks no tensors, with or without a backward pass', () => {
    const x = tf.randomNormal([8, 4, 4, 3], 0, 1, 'float32', 7);
    const gamma = tf.variable(tf.ones([3]));
    const beta = tf.variable(tf.zeros([3]));
    const step = (): void => {
      const { value, grads } = tf.variableGrads(() => {
        const { y, mean, variance } = batchNormTraining(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-5);
        tf.dispose([mean, variance]);
        return tf.sum(tf.square(y)) as tf.Scalar;
      });
      tf.dispose([value, ...Object.values(grads)]);
      tf.tidy(() => {
        const { mean, variance } = batchNormTraining(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-5);
        tf.dispose([mean, variance]);
      });
    };
    step();
    const before = tf.memory().numTensors;

    for (let i = 0; i < 3; i++) step();

    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, gamma, beta]);
  });
});
