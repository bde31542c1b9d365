import * as tf from '@tensorflow/tfjs-core';
import { aeBackbone } from '@d2ue/backbones';
import { DEFAULT_PLUGINS, loadPlugins, resolveDescriptor, selectBackend, type Backbone, type BackboneOutput } from '@d2ue/core';
import { describeScorerConformance } from '@d2ue/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';

import { maxErrorScorer, register } from './index.js';

// The scorer runs on three tiny AEs (the test profile of d2ue), as the evaluator would give it members.
const tiny = aeBackbone.options.parse({ imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 });
const members = (): Backbone[] => [0, 1, 2].map((member) => aeBackbone.create(tiny, { seed: `8/member/${member}/init` }));

describeScorerConformance(maxErrorScorer, { members, register });
describeScorerConformance(maxErrorScorer, { members, options: { squared: false } });

/** Makes a member that reconstructs every pixel as `value`. */
function constant(value: number): Backbone {
  return {
    id: 'constant',
    imageSize: 2,
    tapCount: 1,
    apply: (x): BackboneOutput => ({ reconstruction: tf.fill(x.shape, value) as tf.Tensor4D, features: new Map() }),
    loss: () => tf.scalar(0),
    trainableVariables: () => [],
    stateDict: () => new Map(),
    loadStateDict: () => undefined,
    getConfig: () => ({}),
    dispose: () => undefined,
  };
}

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('max-error', () => {
  it('takes the worst member per pixel', () => {
    const scorer = maxErrorScorer.create(maxErrorScorer.options.parse({}));
    const x = tf.tensor4d([0.5, -1, 0, 1], [1, 2, 2, 1]);
    const result = scorer.score([constant(0), constant(0.5)], x, { pixelMaps: true });

    // Per pixel, max((x − 0)², (x − 0.5)²): 0.5 → max(0.25, 0) = 0.25; −1 → max(1, 2.25) = 2.25; 0 → 0.25; 1 → 1.
    expect(Array.from(result.pixelMaps!.dataSync())).toEqual([0.25, 2.25, 0.25, 1]);
    expect(result.imageScores.dataSync()[0]).toBeCloseTo((0.25 + 2.25 + 0.25 + 1) / 4, 6);
    tf.dispose([x, result.imageScores, result.pixelMaps!]);
  });

  it('uses absolute errors unsquared', () => {
    const scorer = maxErrorScorer.create(maxErrorScorer.options.parse({ squared: false }));
    const x = tf.tensor4d([0.5, -1, 0, 1], [1, 2, 2, 1]);
    const result = scorer.score([constant(0), constant(0.5)], x, { pixelMaps: true });

    expect(Array.from(result.pixelMaps!.dataSync())).toEqual([0.5, 1.5, 0.5, 1]);
    tf.dispose([x, result.imageScores, result.pixelMaps!]);
  });

  it('rejects an empty ensemble', () => {
    const scorer = maxErrorScorer.create(maxErrorScorer.options.parse({}));
    expect(() => scorer.score([], tf.zeros([1, 2, 2, 1]))).toThrow(/scorer "max-error" needs at least 1 member, got 0/);
  });

  it('loads through the plugins list', async () => {
    const container = await loadPlugins([...DEFAULT_PLUGINS, 'd2ue-example-scorer']);
    expect(resolveDescriptor(container, 'scorer', 'max-error')).toBe(maxErrorScorer);
  });
});
