import * as tf from '@tensorflow/tfjs-core';
import { parsePluginOptions, selectBackend, type RepulsionLoss } from '@d2ue/core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { contextOf, randomMatrix, randomParts, valueOf } from '../__fixtures__/context.js';
import { l2Repulsion } from './descriptor.js';
import { L2, gaussianSimilarity } from './l2.js';
import { L2OptionsSchema, type L2Options } from './options.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const parse = (section: Record<string, unknown>): L2Options =>
  parsePluginOptions(l2Repulsion, { name: 'l2', ...section }, 'repulsion', ['weight', 'tap']);

describe('l2', () => {
  it('uses the per-feature distance', () => {
    // Row 0: d² = mean(1, 1) = 1; row 1: d² = 0. With τ = 0.5: (exp(−2) + 1) / 2.
    const a = tf.tensor2d([[0, 0], [3, 3]]);
    const b = tf.tensor2d([[1, 1], [3, 3]]);
    expect(valueOf(gaussianSimilarity(a, b, 0.5))).toBeCloseTo((Math.exp(-2) + 1) / 2, 6);
  });

  it('averages over seniors', () => {
    const parts = randomParts(8, 5, 2, 'l2-mean');
    const [junior, first, second] = parts.features;
    const expected = (valueOf(gaussianSimilarity(junior!, first!, 2)) + valueOf(gaussianSimilarity(junior!, second!, 2))) / 2;

    expect(valueOf(new L2({ temperature: 2 }).compute(contextOf(parts)))).toBeCloseTo(expected, 6);
  });

  it('fades for distant features', () => {
    const parts = randomParts(8, 5, 1, 'l2-far');
    const far = tf.add(parts.features[1]!, 10) as tf.Tensor2D;
    expect(valueOf(new L2({ temperature: 1 }).compute(contextOf(parts, far)))).toBeLessThan(1e-20);
  });

  it('rejects mismatched widths', () => {
    const parts = randomParts(4, 3, 1, 'l2-width');
    expect(() => new L2({ temperature: 1 }).compute(contextOf(parts, randomMatrix(4, 2, 'narrow')))).toThrow(
      /repulsion "l2": the junior's and the senior's features must have the same shape, got \[4, 2\] and \[4, 3\]/,
    );
  });

  it('round-trips its config', () => {
    expect(parse({ weight: 1, tap: 4 })).toEqual({ temperature: 1 });
    const options = parse({ temperature: 0.5 });
    expect(L2OptionsSchema.parse(JSON.parse(JSON.stringify(options)))).toEqual({ temperature: 0.5 });
  });

  it.each([[0], [-2], ['warm']])('rejects temperature %s', (temperature) => {
    expect(() => parse({ temperature })).toThrow(/repulsion\.temperature: (must be a positive number|Invalid input: expected number)/);
  });

  it('has the contract types', () => {
    expectTypeOf<L2Options>().toEqualTypeOf<{ temperature: number }>();
    expectTypeOf(l2Repulsion.create(parse({}))).toEqualTypeOf<RepulsionLoss>();
  });
});
