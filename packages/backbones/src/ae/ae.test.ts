import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@d2ue/core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { Ae } from './ae.js';
import { aeBackbone } from './descriptor.js';
import { AeOptionsSchema, type AeOptions } from './options.js';

const tiny: AeOptions = AeOptionsSchema.parse({ imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 });

beforeAll(async () => {
  await selectBackend('cpu');
});

function parameterCount(backbone: Ae): number {
  return backbone.trainableVariables().reduce((sum, variable) => sum + variable.size, 0);
}

describe('AE', () => {
  it('has PyTorch parameter count', () => {
    // PyTorch: sum(p.numel() for p in AE(input_size=64).parameters()) == 4487248 (official models/ae.py).
    const ae = aeBackbone.create(AeOptionsSchema.parse({}), { seed: 'count' }) as Ae;
    expect(parameterCount(ae)).toBe(4_487_248);
    ae.dispose();
  });

  it('maps [B,32,32,1] to taps', () => {
    const ae = new Ae(tiny, 'shapes');
    const x = tf.randomUniform([3, 32, 32, 1], -1, 1) as tf.Tensor4D;
    const out = ae.apply(x, { training: false, taps: [0, 3, 4, 5, 8] });

    expect(out.reconstruction.shape).toEqual([3, 32, 32, 1]);
    expect([...out.features.entries()].map(([tap, f]) => [tap, f.shape])).toEqual([
      [0, [3, 16 * 16 * 4]],
      [3, [3, 2 * 2 * 16]],
      [4, [3, 16]],
      [5, [3, 2 * 2 * 16]],
      [8, [3, 16 * 16 * 4]],
    ]);
    tf.dispose([x, out.reconstruction, ...out.features.values()]);
    ae.dispose();
  });

  it('rejects a tap out of range', () => {
    const ae = new Ae(tiny, 'tap');
    const x = tf.zeros([2, 32, 32, 1]) as tf.Tensor4D;
    expect(() => ae.apply(x, { training: false, taps: [9] })).toThrow(/repulsion\.tap: AE has feature taps 0\.\.8.*got 9/);
    x.dispose();
    ae.dispose();
  });

  it('rejects a wrong input shape', () => {
    const ae = new Ae(tiny, 'shape');
    const x = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    expect(() => ae.apply(x, { training: false })).toThrow(/expected input of rank 4 and shape \[\*, 32, 32, 1\], got rank 4 and shape \[2,28,28,1\]/);
    x.dispose();
    ae.dispose();
  });

  it('rejects a fractional channel count', () => {
    expect(() => new Ae(AeOptionsSchema.parse({ widthMultiplier: 0.3 }), 's')).toThrow(/widthMultiplier: 16 × widthMultiplier must be a whole number/);
  });

  it('round-trips its config', () => {
    const ae = new Ae(tiny, 'config');
    const again = aeBackbone.create(AeOptionsSchema.parse(ae.getConfig()), { seed: 'config' });
    expect(again.getConfig()).toEqual(ae.getConfig());
    expectTypeOf(ae.getConfig()).toEqualTypeOf<AeOptions>();
    ae.dispose();
    again.dispose();
  });

  it('round-trips its state dict', () => {
    const a = new Ae(tiny, 'a');
    const b = new Ae(tiny, 'b');
    const weights = a.stateDict();
    b.loadStateDict(weights);
    const x = tf.randomUniform([2, 32, 32, 1], -1, 1) as tf.Tensor4D;
    const ya = a.apply(x, { training: false }).reconstruction;
    const yb = b.apply(x, { training: false }).reconstruction;

    expect(weights.get('en_block1.model.0.weight')!.shape).toEqual([4, 1, 4, 4]);
    expect(weights.get('bottle_neck.linear_enc.0.weight')!.shape).toEqual([64, 64]);
    expect(weights.get('de_block4.model.0.weight')!.shape).toEqual([4, 1, 4, 4]);
    expect(weights.has('de_block4.model.1.weight')).toBe(false);
    expect(tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0]).toBe(0);
    tf.dispose([...weights.values(), x, ya, yb]);
    a.dispose();
    b.dispose();
  });

  it('frees everything on dispose', () => {
    const before = tf.memory().numTensors;
    const a = new Ae(tiny, 'a');
    const weights = a.stateDict();
    a.loadStateDict(weights);
    tf.dispose([...weights.values()]);
    a.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaks no tensors per step', () => {
    const ae = new Ae(tiny, 'leak');
    const x = tf.randomUniform([4, 32, 32, 1], -1, 1) as tf.Tensor4D;
    const step = (): void => {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => ae.loss(x, ae.apply(x, { training: true })));
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
    ae.dispose();
  });
});
