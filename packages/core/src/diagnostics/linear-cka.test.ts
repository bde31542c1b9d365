import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { selectBackend } from '../backend/select.js';
import { createRng, uniform } from '../random.js';
import { linearCka } from './linear-cka.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** A seeded [rows, cols] matrix with entries uniform in [-1, 1). */
function randomMatrix(rows: number, cols: number, seed: string): tf.Tensor2D {
  return tf.tensor2d(uniform(rows * cols, -1, 1, createRng(seed)), [rows, cols]);
}

/** A random orthogonal [n, n] matrix: Q of the QR decomposition of a seeded matrix. */
function randomOrthogonal(n: number, seed: string): tf.Tensor2D {
  const [q] = tf.linalg.qr(randomMatrix(n, n, seed));
  return q as tf.Tensor2D;
}

const value = (scalar: tf.Scalar): number => scalar.dataSync()[0]!;

describe('linearCka', () => {
  it('is 1 for CKA(X, X)', () => {
    const x = randomMatrix(32, 16, 'x');
    expect(value(linearCka(x, x))).toBeCloseTo(1, 5);
  });

  it('ignores scaling and rotation', () => {
    const x = randomMatrix(32, 16, 'x');
    const q = randomOrthogonal(16, 'q');
    const transformed = tf.mul(tf.matMul(x, q), 7.5) as tf.Tensor2D;

    expect(value(linearCka(x, transformed))).toBeCloseTo(1, 5);
  });

  it('is invariant on either side', () => {
    const x = randomMatrix(32, 16, 'x');
    const y = randomMatrix(32, 8, 'y');
    const q = randomOrthogonal(8, 'q8');
    const reference = value(linearCka(x, y));
    const rotated = tf.mul(tf.matMul(y, q), 0.01) as tf.Tensor2D;

    expect(Math.abs(value(linearCka(x, rotated)) - reference)).toBeLessThan(1e-5);
    expect(Math.abs(value(linearCka(rotated, x)) - reference)).toBeLessThan(1e-5);
  });

  it('is low for independent features', () => {
    const x = randomMatrix(256, 16, 'a');
    const y = randomMatrix(256, 16, 'b');
    // For independent features, E[CKA] is about D₁·D₂ / (B·√(D₁·D₂))-scale, here ~0.06.
    expect(value(linearCka(x, y))).toBeLessThan(0.2);
  });

  it('stays finite for constant features', () => {
    const x = tf.ones([8, 4]) as tf.Tensor2D;
    const y = randomMatrix(8, 4, 'y');
    const grad = tf.grad((input: tf.Tensor) => linearCka(input as tf.Tensor2D, y))(x);

    expect(value(linearCka(x, y))).toBe(0);
    expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
  });

  it('rejects mismatched batch sizes', () => {
    expect(() => linearCka(randomMatrix(8, 4, 'a'), randomMatrix(6, 4, 'b'))).toThrow(
      /linearCka: expected Y of rank 2 and shape \[8, \*\], got rank 2 and shape \[6,4\]/,
    );
  });

  it('leaks no tensors', () => {
    const x = randomMatrix(16, 8, 'x');
    const y = randomMatrix(16, 8, 'y');
    linearCka(x, y).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) linearCka(x, y).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
