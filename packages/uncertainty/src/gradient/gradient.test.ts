import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@d2ue/core';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { randomImages, sampleStd, tinyMembers, withLogVariance } from '../__fixtures__/members.js';
import { GradientScorer, gradientScorer } from './gradient.js';
import { GradientOptionsSchema, type GradientOptions } from './options.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/**
 * Computes the reference one image at a time (batch 1, as the official evaluate_grad runs), each member's gradient of its
 * own objective read out as plain numbers, the unbiased std over members taken per pixel in JavaScript.
 */
function referenceScores(members: ReturnType<typeof tinyMembers> | ReturnType<typeof withLogVariance>[], images: tf.Tensor4D): number[] {
  const [count, height, width] = images.shape;
  const pixels = height * width;
  const scores: number[] = [];
  for (let n = 0; n < count; n++) {
    const x = tf.slice(images, [n, 0, 0, 0], [1, height, width, 1]);
    const perMember = members.map((member) => {
      const gradient = tf.grad((input: tf.Tensor) => {
        const output = member.apply(input as tf.Tensor4D, { training: false });
        return output.logVariance
          ? tf.mean(tf.mul(tf.exp(tf.neg(output.logVariance)), tf.squaredDifference(input, output.reconstruction)))
          : tf.mean(tf.abs(tf.sub(output.reconstruction, input)));
      })(x);
      const output = member.apply(x, { training: false });
      const variance = output.logVariance ? Array.from(tf.exp(output.logVariance).dataSync()) : undefined;
      const values = { gradient: Array.from(gradient.dataSync()), variance };
      tf.dispose([gradient, output.reconstruction, output.logVariance]);
      return values;
    });
    tf.dispose(x);

    let sum = 0;
    for (let p = 0; p < pixels; p++) {
      const meanVariance = perMember[0]!.variance ? perMember.reduce((s, m) => s + m.variance![p]!, 0) / perMember.length : 1;
      sum += sampleStd(perMember.map((m) => m.gradient[p]! / Math.sqrt(meanVariance)));
    }
    scores.push(sum / pixels);
  }
  return scores;
}

describe('GradientScorer', () => {
  const members = tinyMembers(['g0', 'g1', 'g2']);
  const images = randomImages(5);

  afterAll(() => {
    for (const member of members) member.dispose();
    images.dispose();
  });

  it('matches per-image reference', () => {
    const result = new GradientScorer().score(members, images);
    const expected = referenceScores(members, images);
    Array.from(result.imageScores.dataSync()).forEach((score, i) => expect(score).toBeCloseTo(expected[i]!, 6));
    expect(Math.min(...expected)).toBeGreaterThan(0);
    result.imageScores.dispose();
  });

  it('matches AE-U reference', () => {
    const aeU = members.map(withLogVariance);
    const result = new GradientScorer().score(aeU, images);
    const expected = referenceScores(aeU, images);
    Array.from(result.imageScores.dataSync()).forEach((score, i) => expect(score).toBeCloseTo(expected[i]!, 6));
    result.imageScores.dispose();
  });

  it('is zero for twins', () => {
    const twins = tinyMembers(['same', 'same']);
    const result = new GradientScorer().score(twins, images);
    expect(Math.max(...result.imageScores.dataSync())).toBe(0);
    result.imageScores.dispose();
    for (const twin of twins) twin.dispose();
  });

  it('returns maps on request', () => {
    const before = tf.memory().numTensors;
    const plain = new GradientScorer().score(members, images);
    const withMaps = new GradientScorer().score(members, images, { pixelMaps: true });
    expect(plain.pixelMaps).toBeUndefined();
    expect(withMaps.pixelMaps?.shape).toEqual([5, 16, 16, 1]);
    expect(Array.from(withMaps.imageScores.dataSync())).toEqual(Array.from(plain.imageScores.dataSync()));
    tf.dispose([plain.imageScores, withMaps.imageScores, withMaps.pixelMaps]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects one member', () => {
    expect(() => new GradientScorer().score(members.slice(0, 1), images)).toThrow(
      /scorer "gradient" needs at least 2 members, got 1; raise ensemble.size or drop the scorer/,
    );
  });

  it('round-trips its options', () => {
    const options = GradientOptionsSchema.parse(JSON.parse(JSON.stringify(GradientOptionsSchema.parse({}))));
    expect(gradientScorer.create(options)).toMatchObject({ id: 'gradient', minMembers: 2 });
    expect(GradientOptionsSchema.safeParse({ member: 1 }).success).toBe(false);
    expectTypeOf(options).toEqualTypeOf<GradientOptions>();
  });
});
