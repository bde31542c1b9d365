import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type Backbone } from '@d2ue/core';
import { DsuScorer, OutputScorer, ReconstructionScorer } from '@d2ue/uncertainty';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { AeU } from './aeu.js';
import { aeUBackbone } from './descriptor.js';
import { AeUOptionsSchema, type AeUOptions } from './options.js';

const profile = { imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 };
const tiny: AeUOptions = AeUOptionsSchema.parse(profile);

// Every weight ×2 multiplies μ by about 2¹² ≈ 4096; the DSU member maps |μ − x|·g then reach ~1e22, which the
// scorers' standard deviation must handle without squaring them raw.
const SCALE = 2;

beforeAll(async () => {
  await selectBackend('cpu');
});

/** ±1e6 in a checkerboard: a finite input far outside the [−1, 1] the network was built for. */
function extremeInput(): tf.Tensor4D {
  return tf.tidy(() => {
    const pattern = tf.buffer([2, 32, 32, 1]);
    for (let b = 0; b < 2; b++) for (let i = 0; i < 32; i++) for (let j = 0; j < 32; j++) pattern.set((i + j + b) % 2 === 0 ? 1e6 : -1e6, b, i, j, 0);
    return pattern.toTensor() as tf.Tensor4D;
  });
}

/**
 * Builds a learner with scaled-up weights: every weight ×SCALE and the log-variance half of the output layer ×1000, so
 * s lies far beyond ±10 while μ stays that of a ×SCALE network.
 */
function scaledUp(options: AeUOptions, seed: string): AeU {
  const aeu = new AeU(options, seed);
  const state = aeu.stateDict();
  const scaled = new Map<string, tf.Tensor>();
  for (const [key, tensor] of state) {
    if (key === 'de_block4.model.0.weight') {
      // PyTorch layout [in, out = 2, 4, 4]: output channel 1 is s.
      const [mean, logVariance] = tf.split(tensor, 2, 1);
      scaled.set(key, tf.concat([tf.mul(mean!, SCALE), tf.mul(logVariance!, 1000)], 1));
    } else {
      scaled.set(key, tensor.dtype === 'float32' && key.endsWith('.weight') ? tf.mul(tensor, SCALE) : tf.clone(tensor));
    }
  }
  aeu.loadStateDict(scaled);
  tf.dispose([...state.values(), ...scaled.values()]);
  return aeu;
}

/** Checks whether every value of loss, weight gradients, input gradient and the three scorers' image scores is finite. */
function allFinite(members: Backbone[], x: tf.Tensor4D): boolean {
  return tf.tidy(() => {
    const [member] = members;
    const { value, grads } = tf.variableGrads(() => member!.loss(x, member!.apply(x, { training: true })));
    const inputGradient = tf.grad((input: tf.Tensor) => member!.loss(input as tf.Tensor4D, member!.apply(input as tf.Tensor4D, { training: false })))(x);
    const scores = [new ReconstructionScorer(), new OutputScorer(), new DsuScorer()].map((scorer) => scorer.score(members, x).imageScores);
    const tensors = [value, inputGradient, ...Object.values(grads), ...scores];
    return tensors.every((tensor) => tf.all(tf.isFinite(tensor)).dataSync()[0] === 1);
  });
}

function parameterCount(backbone: Backbone): number {
  return backbone.trainableVariables().reduce((sum, variable) => sum + variable.size, 0);
}

describe('AE-U', () => {
  it('has PyTorch parameter count', () => {
    // PyTorch: sum(p.numel() for p in AEU(input_size=64).parameters()) == 4487504 (last layer 16 → 2 channels).
    const aeu = aeUBackbone.create(AeUOptionsSchema.parse({}), { seed: 'count' });
    expect(parameterCount(aeu)).toBe(4_487_504);
    aeu.dispose();
  });

  it('returns mean and log-variance', () => {
    const aeu = new AeU(tiny, 'shapes');
    const x = tf.randomUniform([3, 32, 32, 1], -1, 1) as tf.Tensor4D;
    tf.tidy(() => {
      const out = aeu.apply(x, { training: false, taps: [4] });
      expect(out.reconstruction.shape).toEqual([3, 32, 32, 1]);
      expect(out.logVariance!.shape).toEqual([3, 32, 32, 1]);
      expect(out.features.get(4)!.shape).toEqual([3, 16]);
    });
    const state = aeu.stateDict();
    expect(state.get('de_block4.model.0.weight')!.shape).toEqual([4, 2, 4, 4]);
    tf.dispose([...state.values(), x]);
    aeu.dispose();
  });

  it('clamps the log-variance', () => {
    const aeu = scaledUp(tiny, 'clamp');
    const x = extremeInput();
    tf.tidy(() => {
      const s = aeu.apply(x, { training: false }).logVariance!;
      expect(tf.max(s).dataSync()[0]).toBe(10);
      expect(tf.min(s).dataSync()[0]).toBe(-10);
    });
    x.dispose();
    aeu.dispose();
  });

  it('stays finite on extreme inputs', () => {
    const members = [scaledUp(tiny, 'extreme-0'), scaledUp(tiny, 'extreme-1')];
    const x = extremeInput();
    expect(allFinite(members, x)).toBe(true);
    x.dispose();
    members.forEach((member) => member.dispose());
  });

  it('overflows without the clamp', () => {
    // The control for the test above: with bounds too wide to act, the same case gives Inf or NaN.
    const wide = AeUOptionsSchema.parse({ ...profile, logVarianceClamp: [-1e30, 1e30] });
    const members = [scaledUp(wide, 'extreme-0'), scaledUp(wide, 'extreme-1')];
    const x = extremeInput();
    expect(allFinite(members, x)).toBe(false);
    x.dispose();
    members.forEach((member) => member.dispose());
  });

  it('rejects an empty clamp range', () => {
    expect(() => AeUOptionsSchema.parse({ logVarianceClamp: [5, 5] })).toThrow(/logVarianceClamp must be \[min, max\] with min < max/);
  });

  it('rejects a loss without logVariance', () => {
    const aeu = new AeU(tiny, 'loss');
    const x = tf.zeros([2, 32, 32, 1]) as tf.Tensor4D;
    expect(() => aeu.loss(x, { reconstruction: x, features: new Map() })).toThrow(/AE-U loss: the output has no logVariance/);
    x.dispose();
    aeu.dispose();
  });

  it('round-trips its config', () => {
    const aeu = new AeU(AeUOptionsSchema.parse({ ...profile, logVarianceClamp: [-6, 8] }), 'config');
    const again = aeUBackbone.create(AeUOptionsSchema.parse(aeu.getConfig()), { seed: 'config' });
    expect(again.getConfig()).toEqual(aeu.getConfig());
    expectTypeOf(aeu.getConfig()).toEqualTypeOf<AeUOptions>();
    aeu.dispose();
    again.dispose();
  });

  it('leaks no tensors per step', () => {
    const aeu = new AeU(tiny, 'leak');
    const x = tf.randomUniform([4, 32, 32, 1], -1, 1) as tf.Tensor4D;
    const step = (): void => {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => aeu.loss(x, aeu.apply(x, { training: true })));
        value.dataSync();
        tf.dispose(grads);
      });
    };
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    aeu.dispose();
  });
});
