import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type RepulsionDescriptor, type RepulsionLoss } from '@d2ue/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { allFinite, contextOf, randomOrthogonal, randomParts, valueOf, type RandomParts } from './__fixtures__/context.js';
import { repulsionTerms } from './register.js';

/**
 * Properties every repulsion term of this package claims, checked on seeded random features: the value range,
 * the invariances, finite values and gradients on degenerate inputs, and the declared minimum batch.
 */

beforeAll(async () => {
  await selectBackend('cpu');
});

const descriptors = repulsionTerms as readonly RepulsionDescriptor[];
const create = (id: string): RepulsionLoss => {
  const descriptor = descriptors.find((candidate) => candidate.id === id)!;
  return descriptor.create(descriptor.options.parse({}));
};

/** The range each term's value lies in, and which junior tensor it is differentiable in (none: neither). */
const CLAIMS: Record<string, { range: [number, number]; differentiates: 'features' | 'reconstruction' | null; minBatchSize: number }> = {
  rar: { range: [0, 1], differentiates: 'features', minBatchSize: 2 },
  none: { range: [0, 0], differentiates: null, minBatchSize: 1 },
  'kernel-cka': { range: [0, 1], differentiates: 'features', minBatchSize: 2 },
  cosine: { range: [-1, 1], differentiates: 'features', minBatchSize: 1 },
  l2: { range: [0, 1], differentiates: 'features', minBatchSize: 1 },
  'negative-correlation': { range: [-1, 1], differentiates: 'reconstruction', minBatchSize: 1 },
};
const ids = descriptors.map((descriptor) => descriptor.id);

/** Computes the value of `term` for the junior tensors given, and its gradient in the one the term reads. */
function valueAndGradient(
  term: RepulsionLoss,
  parts: RandomParts,
  features: tf.Tensor2D,
  reconstruction: tf.Tensor4D,
): { value: number; gradient: tf.Tensor | null } {
  const value = valueOf(term.compute(contextOf(parts, features, reconstruction)));
  const target = CLAIMS[term.id]!.differentiates;
  if (target === null) return { value, gradient: null };

  const gradient =
    target === 'features'
      ? tf.grad((x: tf.Tensor) => term.compute(contextOf(parts, x as tf.Tensor2D, reconstruction)))(features)
      : tf.grad((x: tf.Tensor) => term.compute(contextOf(parts, features, x as tf.Tensor4D)))(reconstruction);
  return { value, gradient };
}

describe('repulsion term claims', () => {
  it('covers every registered term', () => {
    expect([...ids].sort()).toEqual(Object.keys(CLAIMS).sort());
  });

  it.each(ids)('%s declares its minBatchSize', (id) => {
    expect(create(id).minBatchSize).toBe(CLAIMS[id]!.minBatchSize);
  });
});

describe('value range', () => {
  it.each(ids)('%s stays in range', (id) => {
    const term = create(id);
    const [low, high] = CLAIMS[id]!.range;

    for (const seed of ['a', 'b', 'c', 'd']) {
      const parts = randomParts(16, 12, 2, seed);
      const value = valueOf(term.compute(contextOf(parts)));
      expect(value, seed).toBeGreaterThanOrEqual(low);
      expect(value, seed).toBeLessThanOrEqual(high);

      // A junior close to its first senior moves the value toward the top of the range.
      const near = tf.add(parts.features[1]!, tf.mul(parts.features[0]!, 0.05)) as tf.Tensor2D;
      const nearValue = valueOf(term.compute(contextOf(parts, near)));
      expect(nearValue, seed).toBeGreaterThanOrEqual(low);
      expect(nearValue, seed).toBeLessThanOrEqual(high);
    }
  });

  it.each(ids.filter((id) => id !== 'none'))('%s is maximal on copies', (id) => {
    const term = create(id);
    const parts = randomParts(16, 12, 1, 'copy');
    const value = valueOf(term.compute(contextOf(parts, parts.features[1]!, parts.reconstructions[1]!)));

    expect(value).toBeCloseTo(CLAIMS[id]!.range[1], 5);
  });

  it('cosine is -1 on negated features', () => {
    const parts = randomParts(16, 12, 1, 'negated');
    const negated = tf.neg(parts.features[1]!) as tf.Tensor2D;

    expect(valueOf(create('cosine').compute(contextOf(parts, negated)))).toBeCloseTo(-1, 5);
  });

  it('negative-correlation is -1 on mirrored errors', () => {
    const parts = randomParts(16, 12, 1, 'mirrored');
    // x̂_i = 2x − x̂_j makes the junior's residual the negative of the senior's.
    const mirrored = tf.sub(tf.mul(parts.input, 2), parts.reconstructions[1]!) as tf.Tensor4D;

    expect(valueOf(create('negative-correlation').compute(contextOf(parts, parts.features[0], mirrored)))).toBeCloseTo(-1, 5);
  });

  it.each(ids)('%s is 0 without seniors', (id) => {
    const parts = randomParts(16, 12, 0, 'alone');
    expect(valueOf(create(id).compute(contextOf(parts)))).toBe(0);
  });
});

describe('invariance', () => {
  const transforms: Array<[string, (x: tf.Tensor2D) => tf.Tensor2D]> = [
    ['scaling by 7.5', (x) => tf.mul(x, 7.5) as tf.Tensor2D],
    ['scaling by 0.01', (x) => tf.mul(x, 0.01) as tf.Tensor2D],
    ['an orthogonal transform', (x) => tf.matMul(x, randomOrthogonal(x.shape[1], `q${x.shape[1]}`)) as tf.Tensor2D],
    ['rotation and scaling', (x) => tf.mul(tf.matMul(x, randomOrthogonal(x.shape[1], `r${x.shape[1]}`)), 3) as tf.Tensor2D],
  ];

  for (const id of ['rar', 'kernel-cka']) {
    it.each(transforms)(`${id} ignores %s`, (_, transform) => {
      const term = create(id);
      const parts = randomParts(16, 12, 1, `invariance/${id}`);
      const reference = valueOf(term.compute(contextOf(parts)));

      const junior = valueOf(term.compute(contextOf(parts, transform(parts.features[0]!))));
      const senior = valueOf(term.compute(contextOf({ ...parts, features: [parts.features[0]!, transform(parts.features[1]!)] })));

      expect(Math.abs(junior - reference)).toBeLessThan(1e-5);
      expect(Math.abs(senior - reference)).toBeLessThan(1e-5);
    });
  }

  it.each([7.5, 0.01])('cosine ignores scaling by %s', (scale) => {
    const term = create('cosine');
    const parts = randomParts(16, 12, 1, 'cosine-scale');
    const reference = valueOf(term.compute(contextOf(parts)));

    const junior = valueOf(term.compute(contextOf(parts, tf.mul(parts.features[0]!, scale) as tf.Tensor2D)));
    const senior = valueOf(term.compute(contextOf({ ...parts, features: [parts.features[0]!, tf.mul(parts.features[1]!, scale) as tf.Tensor2D] })));

    expect(Math.abs(junior - reference)).toBeLessThan(1e-5);
    expect(Math.abs(senior - reference)).toBeLessThan(1e-5);
  });

  it('cosine sees orthogonal transforms', () => {
    const term = create('cosine');
    // A junior that copies its senior, then rotated: CKA would still call them identical, cosine does not.
    const parts = randomParts(16, 12, 1, 'cosine-rotation');
    const rotated = tf.matMul(parts.features[1]!, randomOrthogonal(12, 'cosine-q')) as tf.Tensor2D;

    expect(valueOf(term.compute(contextOf(parts, parts.features[1]!)))).toBeCloseTo(1, 5);
    expect(valueOf(term.compute(contextOf(parts, rotated)))).toBeLessThan(0.9);
  });
});

describe('degenerate inputs', () => {
  /** Junior (and optionally senior) tensors that make norms, variances or distances vanish. */
  const cases: Array<[string, (parts: RandomParts) => { junior: [tf.Tensor2D, tf.Tensor4D]; seniors?: [tf.Tensor2D, tf.Tensor4D] }]> = [
    ['constant features', (parts) => ({ junior: [tf.fill([16, 12], 0.5) as tf.Tensor2D, tf.fill([16, 4, 4, 1], 0.5) as tf.Tensor4D] })],
    ['zero features', (parts) => ({ junior: [tf.zeros([16, 12]) as tf.Tensor2D, parts.input] })],
    ['collapsed rows', (parts) => ({ junior: [collapse(parts.features[0]!), collapse(parts.reconstructions[0]!)] })],
    [
      'collapsed junior and senior',
      (parts) => ({
        junior: [collapse(parts.features[0]!), collapse(parts.reconstructions[0]!)],
        seniors: [collapse(parts.features[1]!), collapse(parts.reconstructions[1]!)],
      }),
    ],
    ['constant residual', (parts) => ({ junior: [parts.features[0]!, tf.add(parts.input, 0.3) as tf.Tensor4D] })],
    [
      'identical constant learners',
      () => ({
        junior: [tf.fill([16, 12], 2) as tf.Tensor2D, tf.fill([16, 4, 4, 1], 2) as tf.Tensor4D],
        seniors: [tf.fill([16, 12], 2) as tf.Tensor2D, tf.fill([16, 4, 4, 1], 2) as tf.Tensor4D],
      }),
    ],
  ];

  for (const id of ids) {
    it.each(cases)(`${id} is finite on %s`, (_, make) => {
      const term = create(id);
      const base = randomParts(16, 12, 1, `degenerate/${id}`);
      const { junior, seniors } = make(base);
      const parts = seniors === undefined ? base : { ...base, features: [base.features[0]!, seniors[0]], reconstructions: [base.reconstructions[0]!, seniors[1]] };

      const { value, gradient } = valueAndGradient(term, parts, junior[0], junior[1]);

      expect(Number.isFinite(value)).toBe(true);
      if (gradient !== null) expect(allFinite(gradient)).toBe(true);
    });
  }

  it.each(['rar', 'kernel-cka'])('%s is 0 for constant features', (id) => {
    const parts = randomParts(16, 12, 1, 'constant');
    expect(valueOf(create(id).compute(contextOf(parts, tf.fill([16, 12], 0.5) as tf.Tensor2D)))).toBe(0);
  });
});

describe('batch size', () => {
  it.each(ids.filter((id) => CLAIMS[id]!.minBatchSize === 2))('%s rejects a batch of 1', (id) => {
    const parts = randomParts(1, 12, 1, 'single');
    expect(() => create(id).compute(contextOf(parts))).toThrow(
      new RegExp(`repulsion "${id}": needs a batch of at least 2 images \\(.+\\), got 1\\. Raise training\\.batchSize\\.`),
    );
  });

  it.each(ids.filter((id) => CLAIMS[id]!.minBatchSize === 1))('%s accepts a batch of 1', (id) => {
    const parts = randomParts(1, 12, 1, 'single');
    expect(Number.isFinite(valueOf(create(id).compute(contextOf(parts))))).toBe(true);
  });

  it.each(ids.filter((id) => CLAIMS[id]!.minBatchSize === 2))('%s is finite at batch 2', (id) => {
    const parts = randomParts(2, 12, 1, 'pair');
    const { value, gradient } = valueAndGradient(create(id), parts, parts.features[0]!, parts.reconstructions[0]!);

    expect(Number.isFinite(value)).toBe(true);
    expect(allFinite(gradient!)).toBe(true);
  });
});

describe('tensor memory', () => {
  it.each(ids)('%s leaks no tensors', (id) => {
    const term = create(id);
    const parts = randomParts(16, 12, 2, 'leak');
    const run = (): void => {
      term.compute(contextOf(parts)).dispose();
      if (CLAIMS[id]!.differentiates === 'features') {
        tf.grad((x: tf.Tensor) => term.compute(contextOf(parts, x as tf.Tensor2D)))(parts.features[0]!).dispose();
      }
      if (CLAIMS[id]!.differentiates === 'reconstruction') {
        tf.grad((x: tf.Tensor) => term.compute(contextOf(parts, parts.features[0], x as tf.Tensor4D)))(parts.reconstructions[0]!).dispose();
      }
    };

    run();
    const before = tf.memory().numTensors;
    run();
    run();
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** Replaces every row by the first one. */
function collapse<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.tile(tf.slice(x, 0, 1), [x.shape[0], ...x.shape.slice(1).map(() => 1)]) as T);
}
