import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@d2ue/core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { Ae } from '../ae/ae.js';
import { AeOptionsSchema } from '../ae/options.js';
import { backbones } from '../register.js';
import { addressingEntropy } from './entropy.js';
import { memAeBackbone } from './descriptor.js';
import { MemAe } from './memae.js';
import { MemAeOptionsSchema, type MemAeOptions } from './options.js';

const profile = { imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 };
const tiny: MemAeOptions = MemAeOptionsSchema.parse(profile);

beforeAll(async () => {
  await selectBackend('cpu');
});

function parameterCount(backbone: { trainableVariables(): tf.Variable[] }): number {
  return backbone.trainableVariables().reduce((sum, variable) => sum + variable.size, 0);
}

describe('MemAE', () => {
  it('has PyTorch parameter count', () => {
    // PyTorch: sum(p.numel() for p in MemAE(input_size=64).parameters()) == 4487648 (AE + 25 × 16 memory).
    const memae = memAeBackbone.create(MemAeOptionsSchema.parse({}), { seed: 'count' }) as MemAe;
    expect(parameterCount(memae)).toBe(4_487_648);
    memae.dispose();
  });

  it('has the official defaults', () => {
    expect(MemAeOptionsSchema.parse({})).toMatchObject({ memorySize: 25, shrinkThreshold: 0.0025, entropyWeight: 2e-4, latentSize: 16 });
    expect(() => MemAeOptionsSchema.parse({ shrinkThreshold: -0.1 })).toThrow(/shrinkThreshold/);
    expect(() => MemAeOptionsSchema.parse({ memorySlots: 3 })).toThrow(/memorySlots/);
  });

  it('is registered with the others', () => {
    expect(backbones.map((descriptor) => descriptor.id)).toEqual(['AE', 'MemAE', 'AE-U']);
  });

  it('taps z before addressing', () => {
    // Same seed, same AutoencoderNetwork weights: the encoder taps 0..4 equal the AE's, the decoder's differ.
    const memae = new MemAe(tiny, 'same');
    const ae = new Ae(AeOptionsSchema.parse(profile), 'same');
    const x = tf.randomUniform([3, 32, 32, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
    tf.tidy(() => {
      const a = memae.apply(x, { training: false, taps: [4, 5] });
      const b = ae.apply(x, { training: false, taps: [4, 5] });
      expect(tf.max(tf.abs(tf.sub(a.features.get(4)!, b.features.get(4)!))).dataSync()[0]).toBe(0);
      expect(tf.max(tf.abs(tf.sub(a.features.get(5)!, b.features.get(5)!))).dataSync()[0]).toBeGreaterThan(0);
      expect(a.attention!.shape).toEqual([3, 25]);
    });
    x.dispose();
    memae.dispose();
    ae.dispose();
  });

  it('honours memory options', () => {
    const memae = new MemAe(MemAeOptionsSchema.parse({ ...profile, memorySize: 10, entropyWeight: 0.5 }), 'options');
    const x = tf.randomUniform([2, 32, 32, 1], -1, 1, 'float32', 2) as tf.Tensor4D;
    tf.tidy(() => {
      const out = memae.apply(x, { training: false });
      const mse = tf.mean(tf.squaredDifference(out.reconstruction, x));
      const expected = tf.add(mse, tf.mul(addressingEntropy(out.attention!), 0.5)).dataSync()[0]!;
      expect(out.attention!.shape).toEqual([2, 10]);
      expect(memae.loss(x, out).dataSync()[0]).toBeCloseTo(expected, 6);
    });
    const state = memae.stateDict();
    expect(state.get('bottle_neck.memory_module.memory.weight')!.shape).toEqual([10, 16]);
    tf.dispose([...state.values(), x]);
    memae.dispose();
  });

  it('shrinks with its threshold', () => {
    const sparse = new MemAe(MemAeOptionsSchema.parse({ ...profile, shrinkThreshold: 0.045 }), 'shrink');
    const dense = new MemAe(MemAeOptionsSchema.parse({ ...profile, shrinkThreshold: 0 }), 'shrink');
    const x = tf.randomUniform([4, 32, 32, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
    tf.tidy(() => {
      const zeros = (memae: MemAe): number => Array.from(memae.apply(x, { training: false }).attention!.dataSync()).filter((w) => w === 0).length;
      expect(zeros(sparse)).toBeGreaterThan(0);
      expect(zeros(dense)).toBe(0);
    });
    x.dispose();
    sparse.dispose();
    dense.dispose();
  });

  it('rejects a loss without attention', () => {
    const memae = new MemAe(tiny, 'loss');
    const x = tf.zeros([2, 32, 32, 1]) as tf.Tensor4D;
    expect(() => memae.loss(x, { reconstruction: x, features: new Map() })).toThrow(/MemAE loss: the output has no attention weights/);
    x.dispose();
    memae.dispose();
  });

  it('round-trips config and weights', () => {
    const a = new MemAe(tiny, 'a');
    const b = memAeBackbone.create(MemAeOptionsSchema.parse(a.getConfig()), { seed: 'b' });
    expectTypeOf(a.getConfig()).toEqualTypeOf<MemAeOptions>();
    expect(b.getConfig()).toEqual(a.getConfig());
    const weights = a.stateDict();
    b.loadStateDict(weights);
    const x = tf.randomUniform([2, 32, 32, 1], -1, 1) as tf.Tensor4D;
    tf.tidy(() => {
      const diff = tf.sub(a.apply(x, { training: false }).reconstruction, b.apply(x, { training: false }).reconstruction);
      expect(tf.max(tf.abs(diff)).dataSync()[0]).toBe(0);
    });
    tf.dispose([...weights.values(), x]);
    a.dispose();
    b.dispose();
  });

  it('leaks no tensors per step', () => {
    const memae = new MemAe(tiny, 'leak');
    const x = tf.randomUniform([4, 32, 32, 1], -1, 1) as tf.Tensor4D;
    const step = (): void => {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => memae.loss(x, memae.apply(x, { training: true })));
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
    memae.dispose();
  });
});
