import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@d2ue/core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { addressingEntropy } from './entropy.js';
import { addressMemory, MemoryModule, type MemoryRead } from './memory.js';

/*
 * References from PyTorch 1.13 in float64, with fixtures/parity/reference_backbones.py:
 *   u = MemoryUnit(4, 3, t).double(); u.weight = MEMORY; out, att = u(Z); entropy(att)
 */
const MEMORY = [
  [1.0, 0.0, -1.0],
  [0.5, 0.5, 0.5],
  [-1.0, 2.0, 0.0],
  [0.0, -0.5, 1.5],
];
const Z = [
  [0.3, -0.2, 0.8],
  [1.0, 1.0, -1.0],
];
const TORCH = {
  0: {
    attention: [
      [0.09565636062985271, 0.24733957565561018, 0.07831680417517833, 0.5786872595393588],
      [0.6213784355177182, 0.13864826982984924, 0.2285923516142433, 0.011380943038189123],
    ],
    output: [
      [0.14100934428247947, -0.009040233591517677, 0.8960443165069907],
      [0.46211021881839953, 0.5208183666243167, -0.5349828860455099],
    ],
    entropy: 1.0219751486416766,
  },
  0.2: {
    attention: [
      [0.0, 0.29943285752214976, 0.0, 0.7005671424778503],
      [0.7310585786364147, 0.0, 0.26894142136358534, 0.0],
    ],
    output: [
      [0.14971642876107488, -0.2005671424778503, 1.2005671424778503],
      [0.4621171572728293, 0.5378828427271707, -0.7310585786364147],
    ],
    entropy: 0.5962930531069157,
  },
} as const;

beforeAll(async () => {
  await selectBackend('cpu');
});

function read(threshold: number): { attention: number[][]; output: number[][] } {
  return tf.tidy(() => {
    const result = addressMemory(tf.tensor2d(Z), tf.tensor2d(MEMORY), threshold);
    return { attention: result.attention.arraySync(), output: result.output.arraySync() };
  });
}

function expectNear(actual: number[][], expected: readonly (readonly number[])[]): void {
  actual.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(expected[i]![j]!, 6)));
}

describe('addressMemory', () => {
  it('matches PyTorch without shrinkage', () => {
    const { attention, output } = read(0);
    expectNear(attention, TORCH[0].attention);
    expectNear(output, TORCH[0].output);
  });

  it('matches PyTorch with shrinkage', () => {
    const { attention, output } = read(0.2);
    expectNear(attention, TORCH[0.2].attention);
    expectNear(output, TORCH[0.2].output);
    expect(attention[0]![0]).toBe(0);
  });

  it('zeroes rows above threshold', () => {
    // Every softmax weight of 4 slots is below 0.99, so every weight shrinks to 0 and the L1 norm is clamped at 1e-12.
    const { attention, output } = read(0.99);
    expect(attention.flat().every((value) => value === 0)).toBe(true);
    expect(output.flat().every((value) => value === 0)).toBe(true);
  });

  it('rejects a wrong latent size', () => {
    expect(() => addressMemory(tf.zeros([2, 5]) as tf.Tensor2D, tf.tensor2d(MEMORY), 0)).toThrow(
      /MemAE memory: expected latent code z of rank 2 and shape \[\*, 3\], got rank 2 and shape \[2,5\]/,
    );
  });

  it('leaks no tensors', () => {
    const z = tf.tensor2d(Z);
    const memory = tf.tensor2d(MEMORY);
    const before = tf.memory().numTensors;
    const result = addressMemory(z, memory, 0.2);
    expectTypeOf(result).toEqualTypeOf<MemoryRead>();
    tf.dispose([result.attention, result.output]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, memory]);
  });
});

describe('addressingEntropy', () => {
  it('matches PyTorch entropy', () => {
    for (const threshold of [0, 0.2] as const) {
      const value = tf.tidy(() => addressingEntropy(tf.tensor2d(TORCH[threshold].attention as unknown as number[][])).dataSync()[0]!);
      expect(value).toBeCloseTo(TORCH[threshold].entropy, 6);
    }
  });

  it('is log N for uniform weights', () => {
    const value = tf.tidy(() => addressingEntropy(tf.fill([3, 25], 1 / 25) as tf.Tensor2D).dataSync()[0]!);
    expect(value).toBeCloseTo(Math.log(25), 5);
  });

  it('has finite gradient at zero', () => {
    const gradient = tf.tidy(() => tf.grad((w: tf.Tensor) => addressingEntropy(w as tf.Tensor2D))(tf.tensor2d([[0, 1]])).arraySync() as number[][]);
    // d/dw −w·log(w + 1e-12) at w = 0 is −log(1e-12) ≈ 27.63; at w = 1 it is −(log 1 + 1) = −1.
    expect(gradient[0]![0]).toBeCloseTo(-Math.log(1e-12), 3);
    expect(gradient[0]![1]).toBeCloseTo(-1, 5);
  });
});

describe('MemoryModule', () => {
  it('initialises as PyTorch', () => {
    const module = new MemoryModule({ slots: 25, features: 16, shrinkThreshold: 0 }, 'init');
    const values = module.weight.dataSync();
    // official reset_parameters: U(−1/√C, 1/√C) with C = 16.
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.2);
    expect(module.weight.shape).toEqual([25, 16]);
    module.dispose();
  });

  it('round-trips its weight', () => {
    const a = new MemoryModule({ slots: 4, features: 3, shrinkThreshold: 0 }, 'a');
    const b = new MemoryModule(a.getConfig(), 'b');
    const out = new Map<string, tf.Tensor>();
    a.exportWeights('bottle_neck.memory_module.', out);
    b.importWeights('bottle_neck.memory_module.', out);
    expect([...out.keys()]).toEqual(['bottle_neck.memory_module.memory.weight']);
    expect(Array.from(b.weight.dataSync())).toEqual(Array.from(a.weight.dataSync()));
    tf.dispose([...out.values()]);
    a.dispose();
    b.dispose();
  });
});
