import * as tf from '@tensorflow/tfjs-core';
import { createContainer, linearCka, parsePluginOptions, resolveDescriptor, selectBackend, type RepulsionLoss } from '@d2ue/core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { contextOf, randomParts, valueOf } from '../__fixtures__/context.js';
import { register } from '../register.js';
import { rarRepulsion } from './descriptor.js';
import { RarOptionsSchema, type RarOptions } from './options.js';
import { Rar } from './rar.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('rar', () => {
  it('registers as repulsion:rar', () => {
    const container = createContainer();
    register(container);
    expect(resolveDescriptor(container, 'repulsion', 'rar')).toBe(rarRepulsion);
  });

  it('round-trips its config', () => {
    const options = parsePluginOptions(rarRepulsion, { name: 'rar', weight: 1, tap: 4 }, 'repulsion', ['weight', 'tap']);
    expect(options).toEqual({});
    expect(RarOptionsSchema.parse(JSON.parse(JSON.stringify(options)))).toEqual(options);
  });

  it('rejects an unknown option', () => {
    expect(() => parsePluginOptions(rarRepulsion, { name: 'rar', sigma: 1 }, 'repulsion', ['weight', 'tap'])).toThrow(
      /repulsion: Unrecognized key: "sigma"/,
    );
  });

  it('averages linear CKA over seniors', () => {
    const parts = randomParts(16, 8, 2, 'rar-mean');
    const [junior, first, second] = parts.features;
    const expected = (valueOf(linearCka(junior!, first!)) + valueOf(linearCka(junior!, second!))) / 2;

    expect(valueOf(new Rar().compute(contextOf(parts)))).toBeCloseTo(expected, 6);
  });

  it('is differentiable in the junior', () => {
    const parts = randomParts(16, 8, 1, 'rar-gradient');
    const gradient = tf.grad((x: tf.Tensor) => new Rar().compute(contextOf(parts, x as tf.Tensor2D)))(parts.features[0]!);

    expect(valueOf(tf.max(tf.abs(gradient)))).toBeGreaterThan(0);
  });

  it('has the contract types', () => {
    expectTypeOf(rarRepulsion.create(RarOptionsSchema.parse({}))).toEqualTypeOf<RepulsionLoss>();
    expectTypeOf<RarOptions>().toEqualTypeOf<Record<string, never>>();
  });
});
