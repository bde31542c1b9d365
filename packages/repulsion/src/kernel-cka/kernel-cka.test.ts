import * as tf from '@tensorflow/tfjs-core';
import { parsePluginOptions, selectBackend, type RepulsionLoss } from '@d2ue/core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { contextOf, randomMatrix, randomParts, valueOf } from '../__fixtures__/context.js';
import { kernelCkaRepulsion } from './descriptor.js';
import { KernelCka } from './kernel-cka.js';
import { KernelCkaOptionsSchema, type KernelCkaOptions } from './options.js';
import { BANDWIDTH_FLOOR, kernelCka, medianBandwidth, rbfGram, squaredDistances } from './rbf-cka.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const parse = (section: Record<string, unknown>): KernelCkaOptions =>
  parsePluginOptions(kernelCkaRepulsion, { name: 'kernel-cka', ...section }, 'repulsion', ['weight', 'tap']);

describe('kernel-cka options', () => {
  it('defaults to the median', () => {
    expect(parse({ weight: 1, tap: 4 })).toEqual({ bandwidth: 'median' });
  });

  it('round-trips a fixed bandwidth', () => {
    const options = parse({ bandwidth: 2.5 });
    expect(options).toEqual({ bandwidth: 2.5 });
    expect(KernelCkaOptionsSchema.parse(JSON.parse(JSON.stringify(options)))).toEqual(options);
  });

  it.each([[-1], [0], ['mean']])('rejects bandwidth %s', (bandwidth) => {
    expect(() => parse({ bandwidth })).toThrow(/repulsion\.bandwidth: must be "median" or a positive number \(σ of the RBF kernel\)/);
  });

  it('has the contract types', () => {
    expectTypeOf<KernelCkaOptions['bandwidth']>().toEqualTypeOf<'median' | number>();
    expectTypeOf(kernelCkaRepulsion.create(parse({}))).toEqualTypeOf<RepulsionLoss>();
  });
});

describe('rbf-cka', () => {
  it('computes squared distances', () => {
    const x = tf.tensor2d([[0, 0], [3, 4], [1, 0]]);
    expect(Array.from(squaredDistances(x).dataSync())).toEqual([0, 25, 1, 25, 0, 20, 1, 20, 0]);
  });

  it('takes the lower median', () => {
    // Distances 1, 4, 9, 9, 25, 36: six values, so the lower median is the third, 9.
    const x = tf.tensor2d([[0], [1], [3], [6]]);
    expect(valueOf(medianBandwidth(squaredDistances(x)))).toBe(9);
  });

  it('skips zero distances', () => {
    // Rows 0 and 1 coincide; the non-zero distances are 4 and 4.
    const x = tf.tensor2d([[0], [0], [2]]);
    expect(valueOf(medianBandwidth(squaredDistances(x)))).toBe(4);
  });

  it('floors the bandwidth of collapsed rows', () => {
    expect(valueOf(medianBandwidth(squaredDistances(tf.ones([4, 3]) as tf.Tensor2D)))).toBeCloseTo(BANDWIDTH_FLOOR, 20);
  });

  it('builds the RBF kernel', () => {
    // d² = 4 and σ = 2: exp(−4 / 8).
    const kernel = rbfGram(tf.tensor2d([[0], [2]]), 2).dataSync();
    expect(kernel[0]).toBeCloseTo(1, 6);
    expect(kernel[1]).toBeCloseTo(Math.exp(-0.5), 6);
  });

  it('is 1 for kernelCka(X, X)', () => {
    const x = randomMatrix(16, 6, 'self');
    expect(valueOf(kernelCka(x, x))).toBeCloseTo(1, 5);
  });

  it('depends on scale when fixed', () => {
    const x = randomMatrix(16, 6, 'fixed-x');
    const y = randomMatrix(16, 6, 'fixed-y');
    const scaled = tf.mul(x, 5) as tf.Tensor2D;

    expect(Math.abs(valueOf(kernelCka(scaled, y, 1)) - valueOf(kernelCka(x, y, 1)))).toBeGreaterThan(1e-3);
    expect(Math.abs(valueOf(kernelCka(scaled, y)) - valueOf(kernelCka(x, y)))).toBeLessThan(1e-5);
  });

  it('rejects mismatched batch sizes', () => {
    expect(() => kernelCka(randomMatrix(8, 4, 'a'), randomMatrix(6, 4, 'b'))).toThrow(
      /kernelCka: expected Y of rank 2 and shape \[8, \*\], got rank 2 and shape \[6,4\]/,
    );
  });
});

describe('KernelCka', () => {
  it('averages kernel CKA over seniors', () => {
    const parts = randomParts(16, 8, 2, 'kernel-mean');
    const [junior, first, second] = parts.features;
    const expected = (valueOf(kernelCka(junior!, first!, 1.5)) + valueOf(kernelCka(junior!, second!, 1.5))) / 2;

    expect(valueOf(new KernelCka({ bandwidth: 1.5 }).compute(contextOf(parts)))).toBeCloseTo(expected, 6);
  });
});
