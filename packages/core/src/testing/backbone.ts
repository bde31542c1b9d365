import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';

import type { BackendName } from '../config/schema.js';
import type { RegisterPlugins } from '../container.js';
import type { Backbone, BackboneOutput } from '../contracts/backbone.js';
import { D2ueError } from '../errors.js';
import type { BackboneDescriptor } from '../plugin.js';
import { selectBackend } from '../backend/select.js';
import { ConformanceError, type ConformanceRule, underRule } from './conformance-error.js';
import {
  checkOptionsSchema,
  checkRegistered,
  disposeAll,
  edgeMatrices,
  expectClose,
  expectFinite,
  expectNoLeak,
  expectShape,
  maxAbsDifference,
  pluginLabel,
  randomImages,
} from './shared.js';

/** Settings of the backbone checks. Usually only `options` needs setting. */
export interface BackboneConformanceSettings {
  /** Options as a config gives them; the schema fills in defaults. Keep them small (e.g. imageSize 32). */
  readonly options?: Record<string, unknown>;

  /** The initialisation seed; default `conformance`. */
  readonly seed?: string;

  /** Batch sizes the output shapes are checked for; default 1, 2 and 3. Training mode skips batch 1. */
  readonly batchSizes?: readonly number[];

  /** Largest difference allowed between two runs that must agree; default 1e-6. */
  readonly tolerance?: number;

  /** The package's `register`, to check rule `registration under its token`. */
  readonly register?: RegisterPlugins;

  /** The tensor backend the describe wrapper selects first; default `cpu`; `false` keeps the current one. */
  readonly backend?: BackendName | false;
}

/** A backbone check: throws a {@link ConformanceError} naming its rule. */
export type BackboneCheck = (descriptor: BackboneDescriptor, settings?: BackboneConformanceSettings) => void;

interface Prepared {
  readonly label: string;
  readonly options: unknown;
  readonly seed: string;
  readonly batchSizes: readonly number[];
  readonly tolerance: number;
}

function prepare(descriptor: BackboneDescriptor, settings: BackboneConformanceSettings = {}): Prepared {
  return {
    label: pluginLabel(descriptor),
    options: checkOptionsSchema(descriptor, settings.options ?? {}),
    seed: settings.seed ?? 'conformance',
    batchSizes: settings.batchSizes ?? [1, 2, 3],
    tolerance: settings.tolerance ?? 1e-6,
  };
}

function build(descriptor: BackboneDescriptor, prepared: Prepared, rule: ConformanceRule, seed: string = prepared.seed): Backbone {
  return underRule(rule, prepared.label, () => descriptor.create(prepared.options, { seed }));
}

function withBackbone<T>(descriptor: BackboneDescriptor, prepared: Prepared, rule: ConformanceRule, body: (backbone: Backbone) => T, seed?: string): T {
  const backbone = build(descriptor, prepared, rule, seed);
  try {
    return underRule(rule, prepared.label, () => body(backbone));
  } finally {
    backbone.dispose();
  }
}

function allTaps(backbone: Backbone): number[] {
  return Array.from({ length: backbone.tapCount }, (_, tap) => tap);
}

/**
 * Rule `options schema` for a backbone: strict, accepts the settings' options, converts to JSON Schema.
 *
 * @example
 * checkBackboneOptions(aeBackbone, { options: { imageSize: 32 } });
 * @throws ConformanceError naming the rule.
 */
export const checkBackboneOptions: BackboneCheck = (descriptor, settings) => {
  prepare(descriptor, settings);
};

/**
 * Rule `matching id`: the built backbone carries the descriptor's id, the image size the descriptor announces, at
 * least one feature tap, and trainable variables.
 *
 * @example
 * checkBackboneIdentity(aeBackbone, { options: { imageSize: 32 } });
 * @throws ConformanceError naming the rule.
 */
export const checkBackboneIdentity: BackboneCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'matching id';

  withBackbone(descriptor, prepared, rule, (backbone) => {
    if (backbone.id !== descriptor.id) throw new ConformanceError(rule, prepared.label, `the backbone's id is "${backbone.id}", expected "${descriptor.id}".`);

    const announced = descriptor.imageSize(prepared.options);
    if (backbone.imageSize !== announced) {
      throw new ConformanceError(rule, prepared.label, `the backbone's imageSize is ${backbone.imageSize} but descriptor.imageSize(options) gives ${announced}.`);
    }
    if (!Number.isInteger(backbone.tapCount) || backbone.tapCount < 1) {
      throw new ConformanceError(rule, prepared.label, `tapCount is ${backbone.tapCount}, expected a whole number of at least 1.`);
    }

    const variables = backbone.trainableVariables();
    if (variables.length === 0 || variables.some((variable) => !variable.trainable)) {
      throw new ConformanceError(rule, prepared.label, 'trainableVariables() must return a non-empty list of trainable variables.');
    }
  });
};

function checkOutput(prepared: Prepared, backbone: Backbone, output: BackboneOutput, batch: number, widths: Map<number, number>, mode: string): void {
  const rule: ConformanceRule = 'output shapes and dtypes';
  const side = backbone.imageSize;

  expectShape(rule, prepared.label, `the ${mode} reconstruction at batch ${batch}`, output.reconstruction, [batch, side, side, 1]);
  if (output.logVariance !== undefined) expectShape(rule, prepared.label, `the ${mode} logVariance at batch ${batch}`, output.logVariance, [batch, side, side, 1]);
  if (output.attention !== undefined) expectShape(rule, prepared.label, `the ${mode} attention at batch ${batch}`, output.attention, [batch, -1]);

  for (const tap of allTaps(backbone)) {
    const features = output.features.get(tap);
    expectShape(rule, prepared.label, `feature tap ${tap} (${mode}, batch ${batch})`, features, [batch, widths.get(tap) ?? -1]);
    widths.set(tap, features!.shape[1]);
  }
}

/**
 * Rule `output shapes and dtypes`: for each batch size, inference and training outputs are float32 of shape
 * [B, S, S, 1] (logVariance too), every feature tap is [B, D] with D independent of B, and the loss is a float32
 * scalar.
 *
 * @example
 * checkBackboneShapes(aeBackbone, { options: { imageSize: 32 }, batchSizes: [1, 4] });
 * @throws ConformanceError naming the rule, the tensor and the batch size.
 */
export const checkBackboneShapes: BackboneCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'output shapes and dtypes';

  withBackbone(descriptor, prepared, rule, (backbone) => {
    const widths = new Map<number, number>();
    for (const batch of prepared.batchSizes) {
      const modes = batch >= 2 ? [false, true] : [false];
      for (const training of modes) {
        tf.tidy(() => {
          const x = randomImages(batch, backbone.imageSize, `${prepared.seed}/shapes/${batch}`);
          const output = backbone.apply(x, { training, taps: allTaps(backbone) });
          checkOutput(prepared, backbone, output, batch, widths, training ? 'training' : 'inference');
          expectShape(rule, prepared.label, `the loss at batch ${batch}`, backbone.loss(x, output), []);
        });
      }
    }
  });
};

/** Inference outputs of `backbone` on `x` with every tap; the caller disposes them. */
function infer(backbone: Backbone, x: tf.Tensor4D): BackboneOutput {
  return backbone.apply(x, { training: false, taps: allTaps(backbone) });
}

function expectSameOutput(rule: ConformanceRule, prepared: Prepared, a: BackboneOutput, b: BackboneOutput, context: string): void {
  expectClose(rule, prepared.label, `the reconstruction ${context}`, a.reconstruction, b.reconstruction, prepared.tolerance);
  expectClose(rule, prepared.label, `the logVariance ${context}`, a.logVariance, b.logVariance, prepared.tolerance);
  expectClose(rule, prepared.label, `the attention ${context}`, a.attention, b.attention, prepared.tolerance);
  for (const [tap, features] of a.features) {
    expectClose(rule, prepared.label, `feature tap ${tap} ${context}`, features, b.features.get(tap), prepared.tolerance);
  }
}

/**
 * Rule `determinism under a seed`: two backbones built with one seed give the same outputs, and another seed gives
 * other initial weights.
 *
 * @example
 * checkBackboneDeterminism(aeBackbone, { options: { imageSize: 32 }, seed: 'a' });
 * @throws ConformanceError naming the rule.
 */
export const checkBackboneDeterminism: BackboneCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'determinism under a seed';

  withBackbone(descriptor, prepared, rule, (first) =>
    withBackbone(descriptor, prepared, rule, (second) =>
      withBackbone(
        descriptor,
        prepared,
        rule,
        (other) =>
          tf.tidy(() => {
            const x = randomImages(2, first.imageSize, `${prepared.seed}/determinism`);
            expectSameOutput(rule, prepared, infer(first, x), infer(second, x), `of two backbones built with seed "${prepared.seed}"`);

            const mine = first.stateDict();
            const theirs = other.stateDict();
            const differs = [...mine].some(([key, tensor]) => {
              const counterpart = theirs.get(key);
              return counterpart === undefined || maxAbsDifference(tensor, counterpart) > 0;
            });
            if (!differs) throw new ConformanceError(rule, prepared.label, `seeds "${prepared.seed}" and "${prepared.seed}/other" give identical weights; derive the initialisation from the seed.`);
          }),
        `${prepared.seed}/other`,
      ),
    ),
  );
};

/**
 * Rule `no tensor leaks`: building, inference, a training step's loss and gradients, stateDict and loadStateDict
 * leave no tensor behind, and dispose() frees every variable.
 *
 * @example
 * checkBackboneLeaks(aeBackbone, { options: { imageSize: 32 } });
 * @throws ConformanceError naming the rule and the step that leaked.
 */
export const checkBackboneLeaks: BackboneCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const label = prepared.label;
  const side = descriptor.imageSize(prepared.options);
  const x = randomImages(2, side, `${prepared.seed}/leaks`);

  try {
    expectNoLeak(label, 'create() followed by dispose()', () => {
      const backbone = build(descriptor, prepared, 'no tensor leaks');
      try {
        expectNoLeak(label, 'apply() in inference mode, outputs disposed', () => disposeAll(infer(backbone, x)));
        expectNoLeak(label, 'apply() in training mode and loss(), outputs disposed', () => {
          const output = backbone.apply(x, { training: true, taps: [0] });
          const loss = backbone.loss(x, output);
          disposeAll([output, loss]);
        });
        expectNoLeak(label, 'tf.variableGrads of the loss, gradients disposed', () => {
          const { value, grads } = tf.variableGrads(() => backbone.loss(x, backbone.apply(x, { training: true })), backbone.trainableVariables());
          disposeAll([value, Object.values(grads)]);
        });
        expectNoLeak(label, 'stateDict() then loadStateDict(), weights disposed', () => {
          const weights = backbone.stateDict();
          backbone.loadStateDict(weights);
          disposeAll(weights);
        });
      } finally {
        backbone.dispose();
      }
    });
  } finally {
    x.dispose();
  }
};

/**
 * Rule `finite values and gradients on edge inputs`: on zeros, a constant, ±1 and identical images, outputs, the
 * loss and its gradient with respect to every trainable variable are finite, and every trainable variable gets a
 * gradient.
 *
 * @example
 * checkBackboneEdgeInputs(aeBackbone, { options: { imageSize: 32 } });
 * @throws ConformanceError naming the rule, the edge input and the tensor.
 */
export const checkBackboneEdgeInputs: BackboneCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'finite values and gradients on edge inputs';
  const batch = 4;

  withBackbone(descriptor, prepared, rule, (backbone) => {
    const side = backbone.imageSize;
    for (const [name, values] of edgeMatrices(batch, side * side, `${prepared.seed}/edge`)) {
      tf.tidy(() => {
        const x = tf.tensor4d(values, [batch, side, side, 1]);

        const output = infer(backbone, x);
        expectFinite(rule, prepared.label, `the reconstruction on ${name} input`, output.reconstruction);
        if (output.logVariance) expectFinite(rule, prepared.label, `the logVariance on ${name} input`, output.logVariance);
        for (const [tap, features] of output.features) expectFinite(rule, prepared.label, `feature tap ${tap} on ${name} input`, features);

        const variables = backbone.trainableVariables();
        const { value, grads } = tf.variableGrads(() => backbone.loss(x, backbone.apply(x, { training: true })), variables);
        expectFinite(rule, prepared.label, `the training loss on ${name} input`, value);
        for (const variable of variables) {
          const gradient = grads[variable.name];
          if (gradient === undefined || gradient === null) {
            throw new ConformanceError(rule, prepared.label, `trainable variable "${variable.name}" gets no gradient from the loss on ${name} input; drop it from trainableVariables() or use it.`);
          }
          expectFinite(rule, prepared.label, `the gradient of "${variable.name}" on ${name} input`, gradient);
        }
      });
    }
  });
};

/**
 * Rule `save and load round trip`: the options from getConfig() parse with the schema, and a backbone rebuilt from
 * them with another seed gives the same outputs after loadStateDict(stateDict()) — same keys, shapes, dtypes.
 *
 * @example
 * checkBackboneRoundTrip(aeBackbone, { options: { imageSize: 32 } });
 * @throws ConformanceError naming the rule.
 */
export const checkBackboneRoundTrip: BackboneCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'save and load round trip';

  withBackbone(descriptor, prepared, rule, (original) => {
    const config = descriptor.options.safeParse(original.getConfig());
    if (!config.success) {
      throw new ConformanceError(rule, prepared.label, `getConfig() returns options its own schema rejects: ${config.error.issues.map((issue) => issue.message).join('; ')}.`);
    }

    const rebuilt = { ...prepared, options: config.data };
    withBackbone(descriptor, rebuilt, rule, (copy) => {
      const weights = original.stateDict();
      try {
        copy.loadStateDict(weights);
        const copied = copy.stateDict();
        try {
          compareStateDicts(rule, prepared, weights, copied);
        } finally {
          disposeAll(copied);
        }
      } finally {
        disposeAll(weights);
      }

      tf.tidy(() => {
        const x = randomImages(3, original.imageSize, `${prepared.seed}/round-trip`);
        expectSameOutput(rule, prepared, infer(original, x), infer(copy, x), 'after stateDict → loadStateDict');
      });
    }, `${prepared.seed}/round-trip`);
  });
};

function compareStateDicts(rule: ConformanceRule, prepared: Prepared, saved: ReadonlyMap<string, tf.Tensor>, loaded: ReadonlyMap<string, tf.Tensor>): void {
  const missing = [...saved.keys()].filter((key) => !loaded.has(key));
  const extra = [...loaded.keys()].filter((key) => !saved.has(key));
  if (missing.length > 0 || extra.length > 0) {
    throw new ConformanceError(rule, prepared.label, `stateDict() keys change across loadStateDict: missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}.`);
  }
  for (const [key, tensor] of saved) {
    const other = loaded.get(key)!;
    if (other.dtype !== tensor.dtype) throw new ConformanceError(rule, prepared.label, `weight "${key}" is ${tensor.dtype} when saved and ${other.dtype} after loading.`);
    expectClose(rule, prepared.label, `weight "${key}"`, tensor, other, 0);
  }
}

/**
 * Rule `strict state dict`: loadStateDict rejects a missing key, a wrong shape and an unknown key with a
 * D2ueError, so a checkpoint of another backbone or other options never loads silently.
 *
 * @example
 * checkBackboneStrictStateDict(aeBackbone, { options: { imageSize: 32 } });
 * @throws ConformanceError naming the rule and the broken weights it accepted.
 */
export const checkBackboneStrictStateDict: BackboneCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'strict state dict';

  withBackbone(descriptor, prepared, rule, (backbone) => {
    const weights = backbone.stateDict();
    const extraTensor = tf.zeros([1]);
    const floats = [...weights].filter(([, tensor]) => tensor.dtype === 'float32' && tensor.rank >= 1);
    if (floats.length === 0) throw new ConformanceError(rule, prepared.label, 'stateDict() contains no float32 weight.');
    const [key, tensor] = floats[0]!;
    const wrongTensor = tf.zeros([tensor.shape[0]! + 1, ...tensor.shape.slice(1)]);

    try {
      const cases: Array<[string, Map<string, tf.Tensor>]> = [
        [`without "${key}"`, new Map([...weights].filter(([name]) => name !== key))],
        [`with "${key}" of shape ${JSON.stringify(wrongTensor.shape)}`, new Map([...weights, [key, wrongTensor]])],
        ['with an extra key "conformance.extra"', new Map([...weights, ['conformance.extra', extraTensor]])],
      ];
      for (const [what, broken] of cases) {
        let thrown: unknown;
        try {
          backbone.loadStateDict(broken);
        } catch (error) {
          thrown = error;
        }
        if (!(thrown instanceof D2ueError)) {
          const found = thrown === undefined ? 'accepted it' : `threw ${String(thrown)} instead of a D2ueError`;
          throw new ConformanceError(rule, prepared.label, `loadStateDict of weights ${what} ${found}.`);
        }
      }
    } finally {
      disposeAll([weights, extraTensor, wrongTensor]);
    }
  });
};

/** Every backbone check with its rule, in the order the describe wrapper runs them. */
export const BACKBONE_CHECKS: ReadonlyArray<readonly [ConformanceRule, BackboneCheck]> = [
  ['options schema', checkBackboneOptions],
  ['matching id', checkBackboneIdentity],
  ['output shapes and dtypes', checkBackboneShapes],
  ['determinism under a seed', checkBackboneDeterminism],
  ['no tensor leaks', checkBackboneLeaks],
  ['finite values and gradients on edge inputs', checkBackboneEdgeInputs],
  ['save and load round trip', checkBackboneRoundTrip],
  ['strict state dict', checkBackboneStrictStateDict],
];

/**
 * Declares a vitest suite `backbone "<id>" conformance` with one test per rule (`rule: no tensor leaks`, …), plus
 * `rule: registration under its token` when `settings.register` is given.
 *
 * @example
 * import { describeBackboneConformance } from '@d2ue/core/testing';
 * import { register, tinyAeBackbone } from '../src/index.js';
 *
 * describeBackboneConformance(tinyAeBackbone, { options: { imageSize: 32 }, register });
 */
export function describeBackboneConformance(descriptor: BackboneDescriptor, settings: BackboneConformanceSettings = {}): void {
  describe(`${pluginLabel(descriptor)} conformance`, () => {
    beforeAll(async () => {
      if (settings.backend !== false) await selectBackend(settings.backend ?? 'cpu');
    });

    for (const [rule, check] of BACKBONE_CHECKS) it(`rule: ${rule}`, () => check(descriptor, settings));

    const register = settings.register;
    if (register !== undefined) it('rule: registration under its token', () => void checkRegistered(register, 'backbone', descriptor.id));
  });
}
