import * as tf from '@tensorflow/tfjs-core';
import { Ae, AeOptionsSchema } from '@d2ue/backbones';
import { evaluateScorer, selectBackend, type ImageSet } from '@d2ue/core';
import { DsuScorer, GradientScorer } from '@d2ue/uncertainty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** 32 seeded test images of the tiny profile (32×32) with both labels. */
function testImages(): ImageSet {
  const images = tf.randomUniform([32, 32, 32, 1], -1, 1, 'float32', 11);
  const pixels = images.dataSync() as Float32Array;
  images.dispose();
  return { ids: Array.from({ length: 32 }, (_, i) => `img-${i}`), labels: Uint8Array.from({ length: 32 }, (_, i) => i % 2), pixels, size: 32 };
}

describe('DSU batch invariance', () => {
  let members: Ae[];
  const test = testImages();

  beforeAll(async () => {
    await selectBackend('cpu');
    const options = AeOptionsSchema.parse({ imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 });
    members = ['b0', 'b1', 'b2'].map((seed) => new Ae(options, seed));
  });

  afterAll(() => {
    for (const member of members) member.dispose();
  });

  it.each([
    ['dsu', () => new DsuScorer()],
    ['gradient', () => new GradientScorer()],
  ] as const)('%s agrees for batch 1, 8, 32', (_name, make) => {
    const scores = [1, 8, 32].map((batchSize) => {
      const outcome = evaluateScorer(make(), members, test, { batchSize, bootstrapResamples: 10 });
      if (outcome.status !== 'ok') throw new Error(outcome.status);
      return outcome.scores.map((entry) => entry.score);
    });

    // Guard: the scores vary between images, so agreement is not trivial.
    expect(new Set(scores[2]).size).toBe(32);
    for (const batched of [scores[1]!, scores[2]!]) {
      batched.forEach((score, i) => {
        const reference = scores[0]![i]!;
        expect(Math.abs(score - reference) / Math.abs(reference), `image ${i}`).toBeLessThanOrEqual(1e-4);
      });
    }
  });
});
