import * as tf from '@tensorflow/tfjs-core';
import { parsePluginOptions, selectBackend, type RepulsionLoss } from '@d2ue/core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { contextOf, randomImages, randomMatrix, randomParts, valueOf } from '../__fixtures__/context.js';
import { negativeCorrelationRepulsion } from './descriptor.js';
import { NegativeCorrelation, residualCorrelation } from './negative-correlation.js';
import { NegativeCorrelationOptionsSchema } from './options.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('negative-correlation', () => {
  it('correlates residuals per image', () => {
    // Image 0: residuals (1, 2, 3, 4) and (4, 3, 2, 1), correlation −1. Image 1: (1, 2, 3, 4) and (2, 4, 6, 8), +1.
    const input = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
    const juniorReconstruction = tf.tensor4d([1, 2, 3, 4, 1, 2, 3, 4], [2, 2, 2, 1]);
    const seniorReconstruction = tf.tensor4d([4, 3, 2, 1, 2, 4, 6, 8], [2, 2, 2, 1]);

    expect(valueOf(residualCorrelation(input, juniorReconstruction, seniorReconstruction))).toBeCloseTo(0, 6);
    expect(valueOf(residualCorrelation(input, juniorReconstruction, juniorReconstruction))).toBeCloseTo(1, 6);
  });

  it('subtracts the input', () => {
    // Residuals x̂ − x are (0, 0, 1, −1) and (0, 0, −1, 1): correlation −1, whereas x̂ alone would correlate.
    const input = tf.tensor4d([5, 6, 7, 8], [1, 2, 2, 1]);
    const juniorReconstruction = tf.tensor4d([5, 6, 8, 7], [1, 2, 2, 1]);
    const seniorReconstruction = tf.tensor4d([5, 6, 6, 9], [1, 2, 2, 1]);

    expect(valueOf(residualCorrelation(input, juniorReconstruction, seniorReconstruction))).toBeCloseTo(-1, 6);
  });

  it('ignores the feature tap', () => {
    const parts = randomParts(4, 3, 2, 'nc-tap');
    const reference = valueOf(new NegativeCorrelation().compute(contextOf(parts)));

    expect(valueOf(new NegativeCorrelation().compute(contextOf(parts, randomMatrix(4, 3, 'other'))))).toBe(reference);
  });

  it('averages over seniors', () => {
    const parts = randomParts(4, 3, 2, 'nc-mean');
    const [junior, first, second] = parts.reconstructions;
    const expected = (valueOf(residualCorrelation(parts.input, junior!, first!)) + valueOf(residualCorrelation(parts.input, junior!, second!))) / 2;

    expect(valueOf(new NegativeCorrelation().compute(contextOf(parts)))).toBeCloseTo(expected, 6);
  });

  it('rejects mismatched reconstructions', () => {
    const parts = randomParts(2, 3, 1, 'nc-shape');
    expect(() => new NegativeCorrelation().compute(contextOf(parts, parts.features[0], randomImages(2, 8, 'big')))).toThrow(
      /repulsion "negative-correlation": the junior's and the senior's reconstruction must have the same shape, got \[2, 8, 8, 1\] and \[2, 4, 4, 1\]/,
    );
  });

  it('round-trips its config', () => {
    const options = parsePluginOptions(negativeCorrelationRepulsion, { name: 'negative-correlation', weight: 1, tap: 4 }, 'repulsion', ['weight', 'tap']);
    expect(options).toEqual({});
    expect(NegativeCorrelationOptionsSchema.parse(JSON.parse(JSON.stringify(options)))).toEqual(options);
  });

  it('rejects an unknown option', () => {
    expect(() => parsePluginOptions(negativeCorrelationRepulsion, { name: 'negative-correlation', target: 'mean' }, 'repulsion')).toThrow(
      /repulsion: Unrecognized key: "target"/,
    );
  });

  it('has the contract types', () => {
    expectTypeOf(negativeCorrelationRepulsion.create({})).toEqualTypeOf<RepulsionLoss>();
  });
});
