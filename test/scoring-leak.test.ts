import * as tf from '@tensorflow/tfjs-core';
import { Ae, AeOptionsSchema } from '@d2ue/backbones';
import { evaluateScorer, selectBackend, topAnomalyMaps, type ImageSet } from '@d2ue/core';
import { scorers } from '@d2ue/uncertainty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('scorer tensor leaks', () => {
  let members: Ae[];
  let test: ImageSet;

  beforeAll(async () => {
    await selectBackend('cpu');
    const options = AeOptionsSchema.parse({ imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 });
    members = ['l0', 'l1', 'l2'].map((seed) => new Ae(options, seed));
    const images = tf.randomUniform([200, 32, 32, 1], -1, 1, 'float32', 5);
    test = {
      ids: Array.from({ length: 200 }, (_, i) => `img-${i}`),
      labels: Uint8Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : 1)),
      pixels: images.dataSync() as Float32Array,
      size: 32,
    };
    images.dispose();
  });

  afterAll(() => {
    for (const member of members) member.dispose();
  });

  it('scores 200 images flat', () => {
    const ids = scorers.map((descriptor) => descriptor.id);
    expect(ids).toEqual(['reconstruction', 'output', 'gradient', 'dsu', 'single']);

    const before = tf.memory().numTensors;
    for (const descriptor of scorers) {
      if (descriptor.kind !== 'scorer') continue;
      const scorer = descriptor.create(descriptor.options.parse({}));
      const outcome = evaluateScorer(scorer, members, test, { batchSize: 32, bootstrapResamples: 10 });
      expect(outcome.status, descriptor.id).toBe('ok');
      if (outcome.status === 'ok') topAnomalyMaps(scorer, members, test, outcome.scores, 4);
      expect(tf.memory().numTensors, descriptor.id).toBe(before);
    }
  });
});
