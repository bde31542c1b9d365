/**
 * Every op family D2UE trains and scores with runs forward and backward on `wasm` and matches `cpu`, and every
 * kernel it dispatches is registered for wasm. The families: the three backbones (AE: conv, transposed conv,
 * dense, BatchNorm over moments, ReLU, MSE; MemAE: softmax addressing, hard shrink, L1 renormalisation, entropy;
 * AE-U: exp of the log-variance), the input-gradient scorers (|x̂ − x|, squared difference, std over members)
 * and the repulsion terms (linear CKA with centring matrices, RBF kernel CKA with exp), and one Adam step.
 * A kernel wasm lacks shows up by name in the failure message.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activateBackend } from '@d2ue/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError, values } from '../packages/core/src/backend/wasm/__fixtures__/values.js';

const PAD1: [[number, number], [number, number], [number, number], [number, number]] = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

/** BatchNorm in training mode as the backbones write it (arithmetic over tf.moments, PyTorch's epsilon). */
function batchNorm(h: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(h, h.rank === 4 ? [0, 1, 2] : [0]);
  return tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, 1e-5)));
}

/** Linear CKA between [B, D] feature matrices (D2UE's RAR). */
function linearCka(x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  const b = x.shape[0];
  const h = tf.sub(tf.eye(b), 1 / b);
  const centred = (m: tf.Tensor2D): tf.Tensor => tf.matMul(tf.matMul(h, tf.matMul(m, m, false, true)), h);
  const hsic = (k: tf.Tensor, l: tf.Tensor): tf.Tensor => tf.sum(tf.mul(k, l));
  const kx = centred(x);
  const ky = centred(y);
  return tf.div(hsic(kx, ky), tf.sqrt(tf.mul(hsic(kx, kx), hsic(ky, ky)))) as tf.Scalar;
}

/** An RBF Gram matrix with the median-style bandwidth mean(d²) (kernel CKA). */
function rbfGram(x: tf.Tensor2D): tf.Tensor2D {
  const norms = tf.sum(tf.square(x), 1, true);
  const d2 = tf.relu(tf.add(tf.sub(norms, tf.mul(2, tf.matMul(x, x, false, true))), tf.transpose(norms)));
  return tf.exp(tf.div(tf.neg(d2), tf.mul(2, tf.add(tf.mean(d2), 1e-6)))) as tf.Tensor2D;
}

type Family = (params: tf.Tensor[]) => tf.Scalar;

interface Case {
  shapes: number[][];
  loss: Family;
}

// Each case takes seeded parameters of the given shapes and returns a scalar loss; gradients are taken for all.
const FAMILIES: Record<string, Case> = {
  'AE block: conv, BN, ReLU, transposed conv, MSE': {
    shapes: [[4, 16, 16, 1], [4, 4, 1, 8], [4, 4, 1, 8]],
    loss: ([x, w, wt]) => {
      const h = tf.relu(batchNorm(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, PAD1)));
      const y = tf.conv2dTranspose(h as tf.Tensor4D, wt as tf.Tensor4D, [4, 16, 16, 1], 2, PAD1);
      return tf.mean(tf.squaredDifference(y, x!));
    },
  },
  // The bias enters after BatchNorm (as its β): a bias before BatchNorm has an exactly zero gradient, which leaves
  // only rounding noise to compare.
  'AE bottleneck: dense, BN, bias': {
    shapes: [[6, 12], [12, 10], [10], [10, 5]],
    loss: ([x, w1, beta, w2]) => {
      const h = tf.relu(tf.add(batchNorm(tf.matMul(x as tf.Tensor2D, w1 as tf.Tensor2D)), beta!)) as tf.Tensor2D;
      return tf.mean(tf.square(tf.matMul(h, w2 as tf.Tensor2D)));
    },
  },
  'MemAE memory: softmax, shrink, entropy': {
    shapes: [[6, 5], [7, 5]],
    loss: ([z, memory]) => {
      const w = tf.softmax(tf.matMul(z as tf.Tensor2D, memory as tf.Tensor2D, false, true));
      const shifted = tf.sub(w, 1 / 7);
      const shrunk = tf.div(tf.mul(tf.relu(shifted), w), tf.add(tf.abs(shifted), 1e-12));
      const renormalised = tf.div(shrunk, tf.maximum(tf.sum(tf.abs(shrunk), 1, true), 1e-12));
      const read = tf.matMul(renormalised as tf.Tensor2D, memory as tf.Tensor2D);
      const entropy = tf.mean(tf.sum(tf.mul(tf.neg(renormalised), tf.log(tf.add(renormalised, 1e-12))), 1));
      return tf.add(tf.mean(tf.square(read)), tf.mul(entropy, 2e-4));
    },
  },
  'AE-U loss: exp of log-variance': {
    shapes: [[3, 8, 8, 1], [3, 8, 8, 1], [3, 8, 8, 1]],
    loss: ([x, mu, s]) => tf.add(tf.mean(tf.mul(tf.exp(tf.neg(s!)), tf.squaredDifference(mu!, x!))), tf.mean(s!)),
  },
  'scorers: abs residual, std over members': {
    shapes: [[3, 8, 8, 1], [3, 8, 8, 1], [3, 8, 8, 1]],
    loss: ([x, a, b]) => {
      const maps = [a, b].map((m) => tf.mul(tf.abs(tf.sub(m!, x!)), m!));
      const { variance } = tf.moments(tf.stack(maps), 0);
      return tf.mean(tf.sqrt(tf.add(tf.mul(variance, 2), 1e-6)));
    },
  },
  'repulsion: linear CKA': {
    shapes: [[8, 6], [8, 4]],
    loss: ([x, y]) => linearCka(x as tf.Tensor2D, y as tf.Tensor2D),
  },
  'repulsion: RBF kernel CKA': {
    shapes: [[8, 6], [8, 4]],
    loss: ([x, y]) => {
      const kx = rbfGram(x as tf.Tensor2D);
      const ky = rbfGram(y as tf.Tensor2D);
      const h = tf.sub(tf.eye(8), 1 / 8);
      const c = (k: tf.Tensor2D): tf.Tensor => tf.matMul(tf.matMul(h, k), h);
      const hsic = (k: tf.Tensor, l: tf.Tensor): tf.Tensor => tf.sum(tf.mul(c(k as tf.Tensor2D), c(l as tf.Tensor2D)));
      return tf.div(hsic(kx, ky), tf.sqrt(tf.mul(hsic(kx, kx), hsic(ky, ky)))) as tf.Scalar;
    },
  },
};

interface Outcome {
  loss: number;
  grads: Float32Array[];
  kernels: Set<string>;
}

async function runFamily(backend: string, c: Case): Promise<Outcome> {
  await tf.setBackend(backend);
  const params = c.shapes.map((shape, i) => tf.tensor(values(tf.util.sizeFromShape(shape), 100 + i), shape));
  let result: { value: tf.Scalar; grads: tf.Tensor[] } | undefined;
  const profile = await tf.profile(() => {
    result = tf.valueAndGrads((...p: tf.Tensor[]) => c.loss(p))(params);
    return [result.value, ...result.grads];
  });
  const outcome = {
    loss: (await result!.value.data())[0] as number,
    grads: await Promise.all(result!.grads.map(async (g) => (await g.data()) as Float32Array)),
    kernels: new Set(profile.kernels.map((k) => k.name)),
  };
  tf.dispose([...params, result!.value, ...result!.grads]);
  return outcome;
}

/** Kernels that a profile lists without dispatching one (custom-gradient op names). */
const NOT_KERNELS = /__op$/;

describe('wasm kernel coverage', () => {
  beforeAll(async () => {
    await activateBackend('cpu');
    await activateBackend('wasm');
  });

  it.each(Object.entries(FAMILIES))('matches cpu: %s', async (_name, c) => {
    const want = await runFamily('cpu', c);
    const got = await runFamily('wasm', c);
    const missing = [...want.kernels, ...got.kernels].filter((k) => !NOT_KERNELS.test(k) && tf.getKernel(k, 'wasm') == null);

    expect(missing).toEqual([]);
    expect(relativeError([got.loss], [want.loss])).toBeLessThanOrEqual(1e-4);
    got.grads.forEach((g, i) => expect(relativeError(g, want.grads[i]!)).toBeLessThanOrEqual(1e-4));
  });

  it('runs an Adam step', async () => {
    const run = async (backend: string): Promise<{ weights: Float32Array; kernels: Set<string> }> => {
      await tf.setBackend(backend);
      const w = tf.variable(tf.tensor2d(values(12, 7), [3, 4]));
      const x = tf.tensor2d(values(8, 8), [2, 4]);
      const optimizer = tf.train.adam(1e-2, 0.5, 0.999, 1e-8);
      const step = (): void => {
        optimizer.minimize(() => tf.mean(tf.square(tf.matMul(x, w, false, true))), true)?.dispose();
      };
      step();
      const profile = await tf.profile(step);
      const weights = (await w.data()) as Float32Array;
      optimizer.dispose();
      tf.dispose([w, x]);
      return { weights, kernels: new Set(profile.kernels.map((k) => k.name)) };
    };

    const want = await run('cpu');
    const got = await run('wasm');

    expect([...got.kernels].filter((k) => tf.getKernel(k, 'wasm') == null)).toEqual([]);
    expect(relativeError(got.weights, want.weights)).toBeLessThanOrEqual(1e-4);
  });

  it('leaks no tensors', async () => {
    const c = FAMILIES['MemAE memory: softmax, shrink, entropy']!;
    await runFamily('wasm', c);
    const before = tf.memory().numTensors;

    for (let i = 0; i < 2; i++) await runFamily('wasm', c);

    expect(tf.memory().numTensors).toBe(before);
  });

  it('names missing kernels', async () => {
    // The check above would name a kernel wasm lacks: stock wasm 4.22 has no Conv2DBackpropFilter.
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    await tf.setBackend('wasm');
    expect(() => tf.engine().runKernel('D2ueNoSuchKernel', {}, {})).toThrow(/D2ueNoSuchKernel/);
  });
});
