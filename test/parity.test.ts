import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { Ae, AeOptionsSchema, type AeOptions } from '@d2ue/backbones';
import { readSafetensors, selectBackend, stateDictFromSafetensors } from '@d2ue/core';
import { linearCka } from '@d2ue/repulsion';
import { DsuScorer, OutputScorer, ReconstructionScorer } from '@d2ue/uncertainty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Parity with PyTorch: the same weights, input and formulas run through the official-layout PyTorch AE
 * (fixtures/parity/make_parity_fixtures.py, float64 references) and through d2ue on the cpu backend.
 */

const folder = fileURLToPath(new URL('../fixtures/parity/', import.meta.url));
const MEMBERS = 3;
const TAPS = [0, 1, 2, 3, 4, 5, 6, 7, 8];

interface Expected {
  readonly fullSizeParameterCount: number;
  readonly members: ReadonlyArray<{ readonly trainLoss: number }>;
  readonly scores: Readonly<Record<'reconstruction' | 'output' | 'dsu', number[]>>;
  readonly cka: { readonly value: number; readonly gradientX: number[][] };
}

const expected = JSON.parse(readFileSync(`${folder}expected.json`, 'utf8')) as Expected;

// The fixture's tiny profile: base width 4 = 16 × 0.25, mid_num 64, latent 16, image 32.
const tiny: AeOptions = AeOptionsSchema.parse({ imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64, latentSize: 16 });

let x: tf.Tensor4D;
let expectedTensors: Map<string, tf.Tensor>;
let weights: Array<Map<string, tf.Tensor>>;
let members: Ae[];

/** Reads a safetensors file into tensors (F32 as float32, I64 counters such as num_batches_tracked as int32). */
function load(name: string): Map<string, tf.Tensor> {
  return stateDictFromSafetensors(readSafetensors(`${folder}${name}`), name);
}

function expectedTensor(key: string): tf.Tensor {
  const tensor = expectedTensors.get(key);
  if (tensor === undefined) throw new Error(`expected.safetensors lacks "${key}"; rerun make_parity_fixtures.py.`);
  return tensor;
}

/** Builds a learner with the fixture's weights for member `index`. */
function member(index: number): Ae {
  const ae = new Ae(tiny, `parity-${index}`);
  ae.loadStateDict(weights[index]!);
  return ae;
}

/** Returns max |actual − expected| and that divided by max |expected|. */
function difference(actual: tf.Tensor | number[] | number[][], reference: tf.Tensor | number[] | number[][]): { abs: number; rel: number } {
  return tf.tidy(() => {
    const a = actual instanceof tf.Tensor ? actual : tf.tensor(actual);
    const b = reference instanceof tf.Tensor ? reference : tf.tensor(reference);
    expect(a.shape).toEqual(b.shape);
    const abs = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    const scale = tf.max(tf.abs(b)).dataSync()[0]!;
    return { abs, rel: abs / scale };
  });
}

/**
 * Asserts agreement within `relative` (max abs diff over max abs value) or `absolute`; the message names the
 * quantity and both differences. Scores and CKA pass `absolute` 0: DSU scores are ~5e-4, so 1e-5 absolute would allow 2 %.
 */
function expectClose(quantity: string, actual: tf.Tensor | number[] | number[][], reference: tf.Tensor | number[] | number[][], relative = 1e-4, absolute = 1e-5): void {
  const { abs, rel } = difference(actual, reference);
  expect(rel <= relative || abs <= absolute, `${quantity}: max abs diff ${abs.toExponential(3)}, relative ${rel.toExponential(3)}`).toBe(true);
}

beforeAll(async () => {
  await selectBackend('cpu');
  x = load('input.safetensors').get('x') as tf.Tensor4D;
  expectedTensors = load('expected.safetensors');
  weights = Array.from({ length: MEMBERS }, (_, i) => load(`member${i}.safetensors`));
  members = weights.map((_, i) => member(i));
});

afterAll(() => {
  members.forEach((ae) => ae.dispose());
  tf.dispose([x, ...expectedTensors.values(), ...weights.flatMap((w) => [...w.values()])]);
});

describe('AE parity with PyTorch', () => {
  it('matches the full-size parameter count', () => {
    const full = new Ae(AeOptionsSchema.parse({}), 'parity-count');
    const count = full.trainableVariables().reduce((sum, variable) => sum + variable.size, 0);
    full.dispose();
    expect(count).toBe(expected.fullSizeParameterCount);
  });

  it('round-trips the PyTorch state dict', () => {
    for (const [i, ae] of members.entries()) {
      const exported = ae.stateDict();
      expect([...exported.keys()].sort()).toEqual([...weights[i]!.keys()].sort());
      for (const [key, tensor] of exported) {
        const loaded = weights[i]!.get(key)!;
        expect(tensor.shape, key).toEqual(loaded.shape);
        expect(tensor.dtype, key).toEqual(loaded.dtype);
        expect(Array.from(tensor.dataSync()), key).toEqual(Array.from(loaded.dataSync()));
      }
      tf.dispose([...exported.values()]);
    }
  });

  it('matches every eval-mode tap', () => {
    const out = members[0]!.apply(x, { training: false, taps: TAPS });
    for (const tap of TAPS) {
      const stored = expectedTensor(`eval.tap${tap}.0`);
      tf.tidy(() => expectClose(`member 0 tap ${tap}`, out.features.get(tap)!, tf.reshape(stored, [stored.shape[0]!, -1])));
    }
    tf.dispose([out.reconstruction, ...out.features.values()]);
  });

  it('matches eval-mode reconstruction and z', () => {
    for (const [i, ae] of members.entries()) {
      const out = ae.apply(x, { training: false, taps: [4] });
      expectClose(`member ${i} eval reconstruction`, out.reconstruction, expectedTensor(`eval.reconstruction.${i}`));
      expectClose(`member ${i} z`, out.features.get(4)!, expectedTensor(`eval.z.${i}`));
      tf.dispose([out.reconstruction, ...out.features.values()]);
    }
  });

  it('matches train-mode reconstruction and loss', () => {
    for (let i = 0; i < MEMBERS; i++) {
      // A separate learner: train mode moves the BatchNorm running statistics.
      const ae = member(i);
      const output = ae.apply(x, { training: true });
      const loss = ae.loss(x, output);
      expectClose(`member ${i} train reconstruction`, output.reconstruction, expectedTensor(`train.reconstruction.${i}`));
      expectClose(`member ${i} train loss`, [loss.dataSync()[0]!], [expected.members[i]!.trainLoss]);
      tf.dispose([output.reconstruction, loss]);
      ae.dispose();
    }
  });

  it('matches the loss input gradient', () => {
    for (let i = 0; i < MEMBERS; i++) {
      const ae = member(i);
      const gradient = tf.grad((input: tf.Tensor) => {
        const batch = input as tf.Tensor4D;
        return ae.loss(batch, ae.apply(batch, { training: true }));
      })(x);
      expectClose(`member ${i} train input gradient`, gradient, expectedTensor(`train.gradient.${i}`));
      gradient.dispose();
      ae.dispose();
    }
  });
});

describe('scorer parity with PyTorch', () => {
  const cases = [
    ['reconstruction', new ReconstructionScorer()],
    ['output', new OutputScorer()],
    ['dsu', new DsuScorer()],
  ] as const;

  for (const [id, scorer] of cases) {
    it(`matches ${id} image scores`, () => {
      const result = scorer.score(members, x);
      expectClose(`${id} image scores`, result.imageScores, expected.scores[id], 1e-4, 0);
      result.imageScores.dispose();
    });
  }

  it('matches dsu pixel maps', () => {
    const result = new DsuScorer().score(members, x, { pixelMaps: true });
    expectClose('dsu pixel maps', result.pixelMaps!, expectedTensor('scores.dsu.pixelMaps'), 1e-4, 0);
    tf.dispose([result.imageScores, result.pixelMaps!]);
  });

  it('leaks no tensors while scoring', () => {
    const before = tf.memory().numTensors;
    for (const [, scorer] of cases) scorer.score(members, x).imageScores.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('linear CKA parity with PyTorch', () => {
  it('matches value and gradient', () => {
    const z0 = expectedTensor('eval.z.0') as tf.Tensor2D;
    const z1 = expectedTensor('eval.z.1') as tf.Tensor2D;
    const value = linearCka(z0, z1);
    const gradient = tf.grad((a: tf.Tensor) => linearCka(a as tf.Tensor2D, z1))(z0);

    expect(Math.abs(value.dataSync()[0]! - expected.cka.value)).toBeLessThanOrEqual(1e-5);
    expectClose('CKA gradient', gradient, expected.cka.gradientX, 1e-5, 0);
    tf.dispose([value, gradient]);
  });
});
