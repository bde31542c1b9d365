import * as tf from '@tensorflow/tfjs-core';
import { parsePluginOptions, selectBackend, type RepulsionLoss } from '@d2ue/core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { contextOf, randomMatrix, randomParts, valueOf } from '../__fixtures__/context.js';
import { Cosine, meanCosine } from './cosine.js';
import { cosineRepulsion } from './descriptor.js';
import { CosineOptionsSchema } from './options.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('cosine', () => {
  it('averages row cosines', () => {
    // Row cosines 0 (orthogonal) and 1 (parallel).
    const a = tf.tensor2d([[1, 0], [1, 1]]);
    const b = tf.tensor2d([[0, 1], [2, 2]]);
    expect(valueOf(meanCosine(a, b))).toBeCloseTo(0.5, 6);
  });

  it('averages over seniors', () => {
    const parts = randomParts(8, 5, 2, 'cosine-mean');
    const [junior, first, second] = parts.features;
    const expected = (valueOf(meanCosine(junior!, first!)) + valueOf(meanCosine(junior!, second!))) / 2;

    expect(valueOf(new Cosine().compute(contextOf(parts)))).toBeCloseTo(expected, 6);
  });

  it('rejects mismatched widths', () => {
    const parts = randomParts(4, 3, 1, 'cosine-width');
    expect(() => new Cosine().compute(contextOf(parts, randomMatrix(4, 5, 'wide')))).toThrow(
      /repulsion "cosine": the junior's and the senior's features must have the same shape, got \[4, 5\] and \[4, 3\]/,
    );
  });

  it('round-trips its config', () => {
    const options = parsePluginOptions(cosineRepulsion, { name: 'cosine', weight: 1, tap: 4 }, 'repulsion', ['weight', 'tap']);
    expect(options).toEqual({});
    expect(CosineOptionsSchema.parse(JSON.parse(JSON.stringify(options)))).toEqual(options);
  });

  it('rejects an unknown option', () => {
    expect(() => parsePluginOptions(cosineRepulsion, { name: 'cosine', absolute: true }, 'repulsion')).toThrow(
      /repulsion: Unrecognized key: "absolute"/,
    );
  });

  it('has the contract types', () => {
    expectTypeOf(cosineRepulsion.create({})).toEqualTypeOf<RepulsionLoss>();
  });
});
