import * as tf from '@tensorflow/tfjs-core';
import { evaluateScorer, selectBackend, type ImageSet } from '@d2ue/core';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { randomImages, tinyMembers, withLogVariance } from '../__fixtures__/members.js';
import { SingleOptionsSchema, type SingleOptions } from './options.js';
import { SingleScorer, singleScorer } from './single.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** mean over pixels of (x − x̂)², or e^{−s}(x − μ)² for AE-U, computed from plain numbers. */
function reference(member: ReturnType<typeof withLogVariance>, images: tf.Tensor4D): number[] {
  const output = member.apply(images, { training: false });
  const x = images.dataSync();
  const mu = output.reconstruction.dataSync();
  const s = output.logVariance?.dataSync();
  const pixels = images.shape[1] * images.shape[2];
  const scores = Array.from({ length: images.shape[0] }, (_, n) => {
    let sum = 0;
    for (let p = n * pixels; p < (n + 1) * pixels; p++) sum += (s ? Math.exp(-s[p]!) : 1) * (x[p]! - mu[p]!) ** 2;
    return sum / pixels;
  });
  tf.dispose([output.reconstruction, output.logVariance]);
  return scores;
}

describe('SingleScorer', () => {
  const members = tinyMembers(['s0', 's1', 's2']);
  const images = randomImages(4, 16, 9);

  afterAll(() => {
    for (const member of members) member.dispose();
    images.dispose();
  });

  it('scores the chosen member', () => {
    for (const index of [0, 2]) {
      const result = new SingleScorer({ member: index }).score(members, images);
      const expected = reference(members[index]!, images);
      Array.from(result.imageScores.dataSync()).forEach((score, i) => expect(score).toBeCloseTo(expected[i]!, 6));
      result.imageScores.dispose();
    }
  });

  it('differs between members', () => {
    const a = new SingleScorer({ member: 0 }).score(members, images);
    const b = new SingleScorer({ member: 1 }).score(members, images);
    expect(Array.from(a.imageScores.dataSync())).not.toEqual(Array.from(b.imageScores.dataSync()));
    tf.dispose([a.imageScores, b.imageScores]);
  });

  it('weights AE-U by precision', () => {
    const aeU = members.map(withLogVariance);
    const result = new SingleScorer({ member: 1 }).score(aeU, images, { pixelMaps: true });
    const expected = reference(aeU[1]!, images);
    Array.from(result.imageScores.dataSync()).forEach((score, i) => expect(score).toBeCloseTo(expected[i]!, 6));
    expect(result.pixelMaps?.shape).toEqual([4, 16, 16, 1]);
    tf.dispose([result.imageScores, result.pixelMaps]);
  });

  it('needs member plus one', () => {
    expect(new SingleScorer({ member: 2 }).minMembers).toBe(3);
    expect(() => new SingleScorer({ member: 3 }).score(members, images)).toThrow(
      /scorer "single": option member = 3, but the ensemble has 3 members \(0\.\.2\); choose a smaller member index/,
    );
  });

  it('is n/a when out of range', () => {
    const test: ImageSet = { ids: ['a', 'b'], labels: Uint8Array.from([0, 1]), pixels: new Float32Array(2 * 256), size: 16 };
    const outcome = evaluateScorer(new SingleScorer({ member: 4 }), members, test);
    expect(outcome).toEqual({
      scorer: 'single',
      members: 3,
      status: 'n/a',
      reason: 'needs at least 5 members (option member = 4; members are numbered from 0), the ensemble has 3',
    });
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const result = new SingleScorer({ member: 0 }).score(members, images, { pixelMaps: true });
    tf.dispose([result.imageScores, result.pixelMaps]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('round-trips its options', () => {
    const options = SingleOptionsSchema.parse(JSON.parse(JSON.stringify(SingleOptionsSchema.parse({ member: 1 }))));
    expect(options).toEqual({ member: 1 });
    expect(SingleOptionsSchema.parse({})).toEqual({ member: 0 });
    expect(singleScorer.create(options)).toMatchObject({ id: 'single', minMembers: 2, member: 1 });
    expect(SingleOptionsSchema.safeParse({ member: -1 }).success).toBe(false);
    expect(SingleOptionsSchema.safeParse({ member: 0.5 }).success).toBe(false);
    expectTypeOf(options).toEqualTypeOf<SingleOptions>();
  });
});
