import * as tf from '@tensorflow/tfjs-core';
import {
  TrainingSectionSchema,
  listDescriptors,
  loadPlugins,
  selectBackend,
  trainEnsemble,
  trainingStep,
  type Backbone,
  type BackboneDescriptor,
  type ImageSet,
  type RepulsionDescriptor,
  type RepulsionLoss,
} from '@d2ue/core';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The trainer honours λ for every backbone and repulsion term (λ = 0: the term is logged but the update equals
 * the one without a term), and rejects batches below a term's minBatchSize by naming training.batchSize.
 */

let backbones: BackboneDescriptor[];
let terms: RepulsionDescriptor[];

beforeAll(async () => {
  await selectBackend('cpu');
  const container = await loadPlugins(['@d2ue/backbones', '@d2ue/repulsion']);
  backbones = listDescriptors(container, 'backbone');
  terms = listDescriptors(container, 'repulsion');
});

const termIds = ['rar', 'none', 'kernel-cka', 'cosine', 'l2', 'negative-correlation'];
const term = (id: string): RepulsionLoss => {
  const descriptor = terms.find((candidate) => candidate.id === id)!;
  return descriptor.create(descriptor.options.parse({}));
};

/** Builds a tiny learner of `backbone` (image 16, width 0.25, bottleneck 64), initialised from `seed`. */
function tinyLearner(backbone: BackboneDescriptor, seed: string): Backbone {
  const options = backbone.options.parse({ imageSize: 16, widthMultiplier: 0.25, bottleneckWidth: 64 });
  return backbone.create(options, { seed });
}

interface StepResult {
  readonly repulsion: number;
  readonly total: number;
  readonly backbone: number;
  readonly weights: number[];
}

/** Runs one step of a fresh junior next to a fixed senior and returns the losses and the junior's weights after it. */
function stepWith(backbone: BackboneDescriptor, repulsion: RepulsionLoss, weight: number): StepResult {
  const senior = tinyLearner(backbone, 'senior');
  const junior = tinyLearner(backbone, 'junior');
  const batch = tf.randomUniform([4, 16, 16, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
  const optimizer = tf.train.adam(5e-4, 0.5, 0.999, 1e-8);

  const losses = trainingStep({ junior, seniors: [senior], batch, repulsion, weight, tap: 4, optimizer });
  const weights = junior.trainableVariables().flatMap((variable) => Array.from(variable.dataSync()));

  batch.dispose();
  optimizer.dispose();
  senior.dispose();
  junior.dispose();
  return { ...losses, weights };
}

// The step without a term, per backbone and λ, computed once.
const baselines = new Map<string, StepResult>();
function baseline(backbone: BackboneDescriptor, weight: number): StepResult {
  const key = `${backbone.id}/${weight}`;
  if (!baselines.has(key)) baselines.set(key, stepWith(backbone, term('none'), weight));
  return baselines.get(key)!;
}

describe('repulsion weight λ', () => {
  it('covers every registered term', () => {
    expect(terms.map((descriptor) => descriptor.id).sort()).toEqual([...termIds].sort());
    expect(backbones.length).toBeGreaterThan(0);
  });

  it.each(termIds)('%s: λ = 0 leaves updates unchanged', (id) => {
    for (const backbone of backbones) {
      const withTerm = stepWith(backbone, term(id), 0);
      const without = baseline(backbone, 0);

      // The term is computed and logged, yet the update is the one without any term.
      expect(Number.isFinite(withTerm.repulsion), backbone.id).toBe(true);
      if (id !== 'none') expect(withTerm.repulsion, backbone.id).not.toBe(0);
      expect(withTerm.total, backbone.id).toBeCloseTo(withTerm.backbone, 6);
      expect(withTerm.weights, backbone.id).toEqual(without.weights);
    }
  });

  it.each(termIds.filter((id) => id !== 'none'))('%s: λ = 1 changes updates', (id) => {
    for (const backbone of backbones) {
      const withTerm = stepWith(backbone, term(id), 1);
      const without = baseline(backbone, 1);

      expect(withTerm.total, backbone.id).toBeCloseTo(withTerm.backbone + withTerm.repulsion, 5);
      expect(withTerm.weights, backbone.id).not.toEqual(without.weights);
    }
  });
});

describe('trainer batch check', () => {
  /** 4 blank 32×32 images: enough for a batch of 1, never read because no learner is built. */
  const train: ImageSet = { ids: ['a', 'b', 'c', 'd'], labels: new Uint8Array(4), pixels: new Float32Array(4 * 32 * 32), size: 32 };
  const plan = (repulsion: RepulsionLoss) => ({
    createMember: (): Backbone => {
      throw new Error('validation passed; createMember called');
    },
    repulsion,
    weight: 1,
    tap: 4,
    ensembleSize: 3,
    training: TrainingSectionSchema.parse({ epochs: 1, batchSize: 1 }),
    train,
  });

  it.each(['rar', 'kernel-cka'])('%s rejects training.batchSize 1', async (id) => {
    await expect(trainEnsemble(plan(term(id)))).rejects.toThrow(
      new RegExp(`training\\.batchSize: repulsion "${id}" needs batches of at least 2 images, got 1\\. Raise training\\.batchSize`),
    );
  });

  it.each(['none', 'cosine', 'l2', 'negative-correlation'])('%s accepts training.batchSize 1', async (id) => {
    await expect(trainEnsemble(plan(term(id)))).rejects.toThrow(/validation passed; createMember called/);
  });
});
