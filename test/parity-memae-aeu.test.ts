import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { AeU, AeUOptionsSchema, MemAe, MemAeOptionsSchema } from '@d2ue/backbones';
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  selectBackend,
  stateDictFromSafetensors,
  stateDictToSafetensors,
  type Backbone,
} from '@d2ue/core';
import { DsuScorer, OutputScorer, ReconstructionScorer } from '@d2ue/uncertainty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Parity of MemAE and AE-U with PyTorch: the same weights and input run through the official-layout PyTorch networks
 * (fixtures/parity/make_backbone_fixtures.py and reference_backbones.py, float64 references) and through d2ue on the
 * cpu backend. Each tensor must agree within 1e-4 of its largest magnitude.
 */

const folder = fileURLToPath(new URL('../fixtures/parity/', import.meta.url));
const TAPS = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const MODES = ['eval', 'train'] as const;
const MEMBERS = 2;

interface Expected {
  readonly fullSizeParameterCount: number;
  readonly memory: { readonly mem_size: number; readonly shrink_thres: number; readonly entropy_weight: number } | null;
  readonly members: ReadonlyArray<Record<string, number>>;
  readonly scores: Readonly<Record<'reconstruction' | 'output' | 'dsu', number[]>>;
}

// The fixtures' tiny profile: base width 4 = 16 × 0.25, mid_num 64, latent 16, image 32.
const tinyProfile = { imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64, latentSize: 16 };

interface Case {
  readonly id: 'MemAE' | 'AE-U';
  readonly dir: string;
  readonly extra: 'attention' | 'logVariance';
  readonly fullSizeCount: number;
  readonly create: (expected: Expected, seed: string) => Backbone;
  readonly createFull: () => Backbone;
}

const cases: Case[] = [
  {
    id: 'MemAE',
    dir: 'memae',
    extra: 'attention',
    fullSizeCount: 4_487_648,
    create: ({ memory }, seed) =>
      new MemAe(
        MemAeOptionsSchema.parse({
          ...tinyProfile,
          memorySize: memory!.mem_size,
          shrinkThreshold: memory!.shrink_thres,
          entropyWeight: memory!.entropy_weight,
        }),
        seed,
      ),
    createFull: () => new MemAe(MemAeOptionsSchema.parse({}), 'count'),
  },
  {
    id: 'AE-U',
    dir: 'aeu',
    extra: 'logVariance',
    fullSizeCount: 4_487_504,
    create: (_, seed) => new AeU(AeUOptionsSchema.parse(tinyProfile), seed),
    createFull: () => new AeU(AeUOptionsSchema.parse({}), 'count'),
  },
];

/** Reads a safetensors file into a state dict (F32 as float32, I64 counters as int32). */
function load(file: string): Map<string, tf.Tensor> {
  return stateDictFromSafetensors(readSafetensors(file), file);
}

/** Asserts max |actual − reference| ≤ `relative` × max |reference|; the message names the quantity. */
function expectClose(quantity: string, actual: tf.Tensor | number[], reference: tf.Tensor | number[], relative = 1e-4): void {
  const { abs, scale } = tf.tidy(() => {
    const a = actual instanceof tf.Tensor ? actual : tf.tensor(actual);
    const b = reference instanceof tf.Tensor ? reference : tf.tensor(reference);
    expect(a.shape, quantity).toEqual(b.shape);
    return { abs: tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!, scale: tf.max(tf.abs(b)).dataSync()[0]! };
  });
  expect(abs <= relative * scale, `${quantity}: max abs diff ${abs.toExponential(3)}, scale ${scale.toExponential(3)}`).toBe(true);
}

function parameterCount(backbone: Backbone): number {
  return backbone.trainableVariables().reduce((sum, variable) => sum + variable.size, 0);
}

let x: tf.Tensor4D;

beforeAll(async () => {
  await selectBackend('cpu');
  x = load(`${folder}input.safetensors`).get('x') as tf.Tensor4D;
});

afterAll(() => {
  x.dispose();
});

for (const testCase of cases) {
  describe(`${testCase.id} parity with PyTorch`, () => {
    const dir = `${folder}${testCase.dir}/`;
    const expected = JSON.parse(readFileSync(`${dir}expected.json`, 'utf8')) as Expected;
    let reference: Map<string, tf.Tensor>;
    let weights: Array<Map<string, tf.Tensor>>;
    let members: Backbone[];

    /** A learner with the fixture weights of member `index`. */
    const member = (index: number): Backbone => {
      const backbone = testCase.create(expected, `parity-${testCase.dir}-${index}`);
      backbone.loadStateDict(weights[index]!);
      return backbone;
    };

    const stored = (key: string): tf.Tensor => {
      const tensor = reference.get(key);
      if (tensor === undefined) throw new Error(`${testCase.dir}/expected.safetensors lacks "${key}"; rerun make_backbone_fixtures.py.`);
      return tensor;
    };

    beforeAll(() => {
      reference = load(`${dir}expected.safetensors`);
      weights = Array.from({ length: MEMBERS }, (_, i) => load(`${dir}member${i}.safetensors`));
      members = weights.map((_, i) => member(i));
    });

    afterAll(() => {
      members.forEach((backbone) => backbone.dispose());
      tf.dispose([...reference.values(), ...weights.flatMap((w) => [...w.values()])]);
    });

    it('has the PyTorch parameter count', () => {
      const full = testCase.createFull();
      expect(parameterCount(full)).toBe(testCase.fullSizeCount);
      expect(parameterCount(full)).toBe(expected.fullSizeParameterCount);
      full.dispose();
    });

    it('re-exports the PyTorch file exactly', () => {
      for (let i = 0; i < MEMBERS; i++) {
        const original = readSafetensors(`${dir}member${i}.safetensors`);
        const state = members[i]!.stateDict();
        const again = decodeSafetensors(encodeSafetensors(stateDictToSafetensors(state)));
        tf.dispose([...state.values()]);

        expect([...again.tensors.keys()].sort()).toEqual([...original.tensors.keys()].sort());
        expect([...again.int64.keys()].sort()).toEqual([...original.int64.keys()].sort());
        for (const [key, array] of original.tensors) {
          expect(again.tensors.get(key)!.shape, key).toEqual(array.shape);
          expect(Array.from(again.tensors.get(key)!.data), key).toEqual(Array.from(array.data));
        }
        for (const [key, array] of original.int64) expect(Array.from(again.int64.get(key)!.data), key).toEqual(Array.from(array.data));
      }
    });

    for (const mode of MODES) {
      const training = mode === 'train';

      it(`matches ${mode}-mode outputs and taps`, () => {
        for (let i = 0; i < MEMBERS; i++) {
          // A fresh learner per pass: train mode moves the BatchNorm running statistics.
          const backbone = member(i);
          const out = backbone.apply(x, { training, taps: TAPS });
          expectClose(`member ${i} ${mode} reconstruction`, out.reconstruction, stored(`${mode}.reconstruction.${i}`));
          expectClose(`member ${i} ${mode} ${testCase.extra}`, out[testCase.extra]!, stored(`${mode}.${testCase.extra}.${i}`));
          if (i === 0) {
            for (const tap of TAPS) {
              const tapReference = stored(`${mode}.tap${tap}.0`);
              tf.tidy(() => expectClose(`member 0 ${mode} tap ${tap}`, out.features.get(tap)!, tf.reshape(tapReference, [tapReference.shape[0]!, -1])));
            }
          }
          tf.dispose([out.reconstruction, out.attention!, out.logVariance!, ...out.features.values()].filter(Boolean));
          backbone.dispose();
        }
      });

      it(`matches ${mode}-mode loss and gradient`, () => {
        for (let i = 0; i < MEMBERS; i++) {
          const backbone = member(i);
          const { value, grad } = tf.valueAndGrad((input: tf.Tensor) => {
            const batch = input as tf.Tensor4D;
            return backbone.loss(batch, backbone.apply(batch, { training }));
          })(x);
          expectClose(`member ${i} ${mode} loss`, [value.dataSync()[0]!], [expected.members[i]![`${mode}Loss`]!]);
          expectClose(`member ${i} ${mode} input gradient`, grad, stored(`${mode}.gradient.${i}`));
          tf.dispose([value, grad]);
          backbone.dispose();
        }
      });
    }

    const scorers = [
      ['reconstruction', new ReconstructionScorer()],
      ['output', new OutputScorer()],
      ['dsu', new DsuScorer()],
    ] as const;

    for (const [id, scorer] of scorers) {
      it(`matches ${id} image scores`, () => {
        const result = scorer.score(members, x);
        expectClose(`${id} image scores`, result.imageScores, expected.scores[id]);
        result.imageScores.dispose();
      });
    }

    it('matches dsu pixel maps', () => {
      const result = new DsuScorer().score(members, x, { pixelMaps: true });
      expectClose('dsu pixel maps', result.pixelMaps!, stored('scores.dsu.pixelMaps'));
      tf.dispose([result.imageScores, result.pixelMaps!]);
    });

    it('leaks no tensors', () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const out = members[0]!.apply(x, { training: false, taps: TAPS });
        members[0]!.loss(x, out).dataSync();
      });
      for (const [, scorer] of scorers) scorer.score(members, x).imageScores.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
