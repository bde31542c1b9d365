import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';

import { selectBackend } from '../backend/select.js';
import type { BackendName } from '../config/schema.js';
import type { RegisterPlugins } from '../container.js';
import type { RepulsionContext, RepulsionLoss, RepulsionView } from '../contracts/repulsion.js';
import { D2ueError } from '../errors.js';
import type { RepulsionDescriptor } from '../plugin.js';
import { ConformanceError, type ConformanceRule, underRule } from './conformance-error.js';
import { checkOptionsSchema, checkRegistered, edgeMatrices, expectFinite, expectNoLeak, expectShape, pluginLabel, seededValues } from './shared.js';

/** Settings of the repulsion checks. */
export interface RepulsionConformanceSettings {
  /** Options as a config gives them; the schema fills in defaults. */
  readonly options?: Record<string, unknown>;

  /** Batch sizes to try; those below the term's minBatchSize must be rejected. Default 1, 2, 5 and 8. */
  readonly batchSizes?: readonly number[];

  /** Feature widths D of the [B, D] matrices; default 3 and 16. */
  readonly featureSizes?: readonly number[];

  /** Side of the reconstructions in each view (output-space terms read them); default 8. */
  readonly imageSize?: number;

  /** Relative tolerance of comparisons; default 1e-5. */
  readonly tolerance?: number;

  /** The package's `register`, to check rule `registration under its token`. */
  readonly register?: RegisterPlugins;

  /** The tensor backend the describe wrapper selects first; default `cpu`; `false` keeps the current one. */
  readonly backend?: BackendName | false;
}

/** A repulsion check: throws a {@link ConformanceError} naming its rule. */
export type RepulsionCheck = (descriptor: RepulsionDescriptor, settings?: RepulsionConformanceSettings) => void;

interface Prepared {
  readonly label: string;
  readonly options: unknown;
  readonly batchSizes: readonly number[];
  readonly featureSizes: readonly number[];
  readonly imageSize: number;
  readonly tolerance: number;
}

function prepare(descriptor: RepulsionDescriptor, settings: RepulsionConformanceSettings = {}): Prepared {
  return {
    label: pluginLabel(descriptor),
    options: checkOptionsSchema(descriptor, settings.options ?? {}),
    batchSizes: settings.batchSizes ?? [1, 2, 5, 8],
    featureSizes: settings.featureSizes ?? [3, 16],
    imageSize: settings.imageSize ?? 8,
    tolerance: settings.tolerance ?? 1e-5,
  };
}

function build(descriptor: RepulsionDescriptor, prepared: Prepared, rule: ConformanceRule): RepulsionLoss {
  return underRule(rule, prepared.label, () => descriptor.create(prepared.options));
}

/** Builds a learner's view from a features matrix and a reconstruction, at tap 4 (the trainer's default). */
function view(features: tf.Tensor2D, reconstruction: tf.Tensor4D): RepulsionView {
  return { features, output: { reconstruction, features: new Map([[4, features]]) } };
}

function randomView(batch: number, width: number, side: number, seed: string): RepulsionView {
  const features = tf.tensor2d(seededValues(batch * width, `${seed}/features`), [batch, width]);
  const reconstruction = tf.tensor4d(seededValues(batch * side * side, `${seed}/reconstruction`), [batch, side, side, 1]);
  return view(features, reconstruction);
}

function context(junior: RepulsionView, seniors: readonly RepulsionView[], side: number, seed: string): RepulsionContext {
  const batch = junior.features.shape[0];
  const input = tf.tensor4d(seededValues(batch * side * side, `${seed}/input`), [batch, side, side, 1]);
  return { input, junior, seniors };
}

function usableBatches(term: RepulsionLoss, prepared: Prepared): number[] {
  return prepared.batchSizes.filter((batch) => batch >= term.minBatchSize);
}

function scalarValue(rule: ConformanceRule, prepared: Prepared, what: string, value: tf.Scalar): number {
  expectShape(rule, prepared.label, what, value, []);
  return value.dataSync()[0]!;
}

function close(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Rule `options schema` for a repulsion term.
 *
 * @example
 * checkRepulsionOptions(rarRepulsion);
 * @throws ConformanceError naming the rule.
 */
export const checkRepulsionOptions: RepulsionCheck = (descriptor, settings) => {
  prepare(descriptor, settings);
};

/**
 * Rule `matching id`: the term carries the descriptor's id and a whole minBatchSize of at least 1.
 *
 * @example
 * checkRepulsionIdentity(rarRepulsion);
 * @throws ConformanceError naming the rule.
 */
export const checkRepulsionIdentity: RepulsionCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'matching id';
  const term = build(descriptor, prepared, rule);

  if (term.id !== descriptor.id) throw new ConformanceError(rule, prepared.label, `the term's id is "${term.id}", expected "${descriptor.id}".`);
  if (!Number.isInteger(term.minBatchSize) || term.minBatchSize < 1) {
    throw new ConformanceError(rule, prepared.label, `minBatchSize is ${term.minBatchSize}, expected a whole number of at least 1.`);
  }
};

/**
 * Rule `output shapes and dtypes`: the value is a float32 scalar for every usable batch size, feature width and
 * number of seniors (1 and 2).
 *
 * @example
 * checkRepulsionShapes(rarRepulsion, { featureSizes: [4] });
 * @throws ConformanceError naming the rule, the batch size and the width.
 */
export const checkRepulsionShapes: RepulsionCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'output shapes and dtypes';
  const term = build(descriptor, prepared, rule);

  for (const batch of usableBatches(term, prepared)) {
    for (const width of prepared.featureSizes) {
      for (const seniors of [1, 2]) {
        tf.tidy(() => {
          const views = Array.from({ length: seniors + 1 }, (_, i) => randomView(batch, width, prepared.imageSize, `shapes/${batch}/${width}/${i}`));
          const value = underRule(rule, prepared.label, () => term.compute(context(views[0]!, views.slice(1), prepared.imageSize, 'shapes')));
          expectShape(rule, prepared.label, `the value at batch ${batch}, width ${width}, ${seniors} senior(s)`, value, []);
        });
      }
    }
  }
};

/**
 * Rule `zero without seniors`: learner 0 has no seniors, and the term is 0 for it.
 *
 * @example
 * checkRepulsionZeroWithoutSeniors(rarRepulsion);
 * @throws ConformanceError naming the rule and the value found.
 */
export const checkRepulsionZeroWithoutSeniors: RepulsionCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'zero without seniors';
  const term = build(descriptor, prepared, rule);
  const batch = Math.max(term.minBatchSize, 4);

  tf.tidy(() => {
    const junior = randomView(batch, prepared.featureSizes[0]!, prepared.imageSize, 'alone');
    const value = scalarValue(rule, prepared, 'the value without seniors', underRule(rule, prepared.label, () => term.compute(context(junior, [], prepared.imageSize, 'alone'))));
    if (value !== 0) throw new ConformanceError(rule, prepared.label, `the value without seniors is ${value}, expected 0.`);
  });
};

/**
 * Rule `mean over seniors`: the value for seniors (a, b) is the mean of the values for a alone and b alone.
 *
 * @example
 * checkRepulsionMeanOverSeniors(rarRepulsion);
 * @throws ConformanceError naming the rule and the three values.
 */
export const checkRepulsionMeanOverSeniors: RepulsionCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'mean over seniors';
  const term = build(descriptor, prepared, rule);
  const batch = Math.max(term.minBatchSize, 6);
  const width = prepared.featureSizes[prepared.featureSizes.length - 1]!;

  tf.tidy(() => {
    const [junior, a, b] = [0, 1, 2].map((i) => randomView(batch, width, prepared.imageSize, `mean/${i}`)) as [RepulsionView, RepulsionView, RepulsionView];
    const value = (seniors: RepulsionView[]): number =>
      scalarValue(rule, prepared, 'the value', underRule(rule, prepared.label, () => term.compute(context(junior, seniors, prepared.imageSize, 'mean'))));

    const both = value([a, b]);
    const mean = (value([a]) + value([b])) / 2;
    if (!close(both, mean, prepared.tolerance)) {
      throw new ConformanceError(rule, prepared.label, `the value for two seniors is ${both}, but the mean of the values for each alone is ${mean}.`);
    }
  });
};

/**
 * Rule `determinism under a seed`: computing the term twice on one context gives one value.
 *
 * @example
 * checkRepulsionDeterminism(rarRepulsion);
 * @throws ConformanceError naming the rule and both values.
 */
export const checkRepulsionDeterminism: RepulsionCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'determinism under a seed';
  const batch = Math.max(build(descriptor, prepared, rule).minBatchSize, 4);

  tf.tidy(() => {
    const views = [0, 1].map((i) => randomView(batch, prepared.featureSizes[0]!, prepared.imageSize, `determinism/${i}`));
    const shared = context(views[0]!, views.slice(1), prepared.imageSize, 'determinism');
    const first = build(descriptor, prepared, rule).compute(shared).dataSync()[0]!;
    const second = build(descriptor, prepared, rule).compute(shared).dataSync()[0]!;
    if (first !== second && !(Number.isNaN(first) && Number.isNaN(second))) {
      throw new ConformanceError(rule, prepared.label, `two terms built from one set of options give ${first} and ${second} on one context.`);
    }
  });
};

/**
 * Rule `no tensor leaks`: compute() and its gradient leave only the returned value behind.
 *
 * @example
 * checkRepulsionLeaks(rarRepulsion);
 * @throws ConformanceError naming the rule and the step that leaked.
 */
export const checkRepulsionLeaks: RepulsionCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const term = build(descriptor, prepared, 'no tensor leaks');
  const batch = Math.max(term.minBatchSize, 4);
  const views = [0, 1, 2].map((i) => randomView(batch, prepared.featureSizes[0]!, prepared.imageSize, `leaks/${i}`));
  const shared = context(views[0]!, views.slice(1), prepared.imageSize, 'leaks');

  try {
    expectNoLeak(prepared.label, 'compute(), value disposed', () => term.compute(shared).dispose());
    expectNoLeak(prepared.label, 'the gradient of compute(), gradients disposed', () => {
      const gradients = juniorGradients(term, shared);
      for (const gradient of gradients) gradient.dispose();
    });
  } finally {
    for (const each of views) tf.dispose([each.features, each.output.reconstruction]);
    shared.input.dispose();
  }
};

/**
 * Computes the gradients of the term with respect to the junior's features and reconstruction. A zero-weighted sum of both
 * joins them to the value, so a term that ignores one of them (or both, like `none`) gets a zero gradient instead
 * of an error.
 */
function juniorGradients(term: RepulsionLoss, base: RepulsionContext): tf.Tensor[] {
  const gradient = tf.grads((...args: tf.Tensor[]) => {
    const [features, reconstruction] = args as [tf.Tensor2D, tf.Tensor4D];
    const value = term.compute({ ...base, junior: view(features, reconstruction) });
    return tf.add(value, tf.mul(0, tf.add(tf.sum(features), tf.sum(reconstruction))));
  });
  return gradient([base.junior.features, base.junior.output.reconstruction]);
}

/**
 * Rule `finite values and gradients on edge inputs`: with zeros, a constant, ±1 or identical rows as the junior's
 * features, as the seniors', or as both, the value and its gradient with respect to the junior are finite.
 *
 * @example
 * checkRepulsionEdgeInputs(rarRepulsion);
 * @throws ConformanceError naming the rule, the edge input and where it was placed.
 */
export const checkRepulsionEdgeInputs: RepulsionCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'finite values and gradients on edge inputs';
  const term = build(descriptor, prepared, rule);
  const batch = Math.max(term.minBatchSize, 4);
  const width = prepared.featureSizes[prepared.featureSizes.length - 1]!;
  const side = prepared.imageSize;

  const features = edgeMatrices(batch, width, 'edge/features');
  const images = edgeMatrices(batch, side * side, 'edge/images');
  for (const [name, values] of features) {
    const edge = (): RepulsionView => view(tf.tensor2d(values, [batch, width]), tf.tensor4d(images.get(name)!, [batch, side, side, 1]));
    const random = (seed: string): RepulsionView => randomView(batch, width, side, seed);
    const placements: Array<[string, () => [RepulsionView, RepulsionView[]]]> = [
      ['the junior', () => [edge(), [random('edge/senior')]]],
      ['the seniors', () => [random('edge/junior'), [edge(), edge()]]],
      ['junior and senior', () => [edge(), [edge()]]],
    ];

    for (const [where, make] of placements) {
      tf.tidy(() => {
        const [junior, seniors] = make();
        const shared = context(junior, seniors, side, 'edge');
        const what = `${name} as ${where}'s features and reconstruction`;

        expectFinite(rule, prepared.label, `the value with ${what}`, underRule(rule, prepared.label, () => term.compute(shared)));
        const [featureGradient, outputGradient] = underRule(rule, prepared.label, () => juniorGradients(term, shared));
        expectFinite(rule, prepared.label, `the gradient for the junior's features with ${what}`, featureGradient!);
        expectFinite(rule, prepared.label, `the gradient for the junior's reconstruction with ${what}`, outputGradient!);
      });
    }
  }
};

/**
 * Rule `minimum batch size`: a batch smaller than minBatchSize is rejected with a D2ueError (not a NaN), and
 * minBatchSize itself works.
 *
 * @example
 * checkRepulsionMinBatch(rarRepulsion);
 * @throws ConformanceError naming the rule and the batch size.
 */
export const checkRepulsionMinBatch: RepulsionCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'minimum batch size';
  const term = build(descriptor, prepared, rule);
  const width = prepared.featureSizes[0]!;

  tf.tidy(() => {
    const smallest = [randomView(term.minBatchSize, width, prepared.imageSize, 'min/0'), randomView(term.minBatchSize, width, prepared.imageSize, 'min/1')];
    const value = underRule(rule, prepared.label, () => term.compute(context(smallest[0]!, [smallest[1]!], prepared.imageSize, 'min')));
    expectFinite(rule, prepared.label, `the value at batch ${term.minBatchSize} (minBatchSize)`, value);

    if (term.minBatchSize < 2) return;
    const small = term.minBatchSize - 1;
    const views = [randomView(small, width, prepared.imageSize, 'min/2'), randomView(small, width, prepared.imageSize, 'min/3')];
    let thrown: unknown;
    try {
      term.compute(context(views[0]!, [views[1]!], prepared.imageSize, 'min'));
    } catch (error) {
      thrown = error;
    }
    if (!(thrown instanceof D2ueError)) {
      throw new ConformanceError(rule, prepared.label, `a batch of ${small} (below minBatchSize ${term.minBatchSize}) ${thrown === undefined ? 'was accepted' : `threw ${String(thrown)}`}; throw a D2ueError that names training.batchSize.`);
    }
  });
};

/** Every repulsion check with its rule, in the order the describe wrapper runs them. */
export const REPULSION_CHECKS: ReadonlyArray<readonly [ConformanceRule, RepulsionCheck]> = [
  ['options schema', checkRepulsionOptions],
  ['matching id', checkRepulsionIdentity],
  ['output shapes and dtypes', checkRepulsionShapes],
  ['zero without seniors', checkRepulsionZeroWithoutSeniors],
  ['mean over seniors', checkRepulsionMeanOverSeniors],
  ['determinism under a seed', checkRepulsionDeterminism],
  ['no tensor leaks', checkRepulsionLeaks],
  ['finite values and gradients on edge inputs', checkRepulsionEdgeInputs],
  ['minimum batch size', checkRepulsionMinBatch],
];

/**
 * Declares a vitest suite `repulsion "<id>" conformance` with one test per rule, plus
 * `rule: registration under its token` when `settings.register` is given.
 *
 * @example
 * import { describeRepulsionConformance } from '@d2ue/core/testing';
 * import { orthogonalityRepulsion, register } from '../src/index.js';
 *
 * describeRepulsionConformance(orthogonalityRepulsion, { register });
 */
export function describeRepulsionConformance(descriptor: RepulsionDescriptor, settings: RepulsionConformanceSettings = {}): void {
  describe(`${pluginLabel(descriptor)} conformance`, () => {
    beforeAll(async () => {
      if (settings.backend !== false) await selectBackend(settings.backend ?? 'cpu');
    });

    for (const [rule, check] of REPULSION_CHECKS) it(`rule: ${rule}`, () => check(descriptor, settings));

    const register = settings.register;
    if (register !== undefined) it('rule: registration under its token', () => void checkRegistered(register, 'repulsion', descriptor.id));
  });
}
