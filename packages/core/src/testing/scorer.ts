import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';

import { selectBackend } from '../backend/select.js';
import type { BackendName } from '../config/schema.js';
import type { RegisterPlugins } from '../container.js';
import type { Backbone } from '../contracts/backbone.js';
import type { UncertaintyScorer } from '../contracts/scorer.js';
import { D2ueError } from '../errors.js';
import type { ScorerDescriptor } from '../plugin.js';
import { ConformanceError, type ConformanceRule, underRule } from './conformance-error.js';
import { checkOptionsSchema, checkRegistered, disposeAll, edgeMatrices, expectClose, expectFinite, expectNoLeak, expectShape, pluginLabel, randomImages } from './shared.js';

/** Settings of the scorer checks. `members` is required, because the scorer needs learners to score with. */
export interface ScorerConformanceSettings {
  /**
   * Builds the ensemble the scorer runs on (at least the scorer's minMembers learners; 3 is a good choice), e.g.
   * three tiny AEs built with different seeds. Called once per check; the kit disposes the members.
   */
  readonly members: () => Backbone[];

  /** Options as a config gives them; the schema fills in defaults. */
  readonly options?: Record<string, unknown>;

  /** Batch sizes to score; default 1 and 3. */
  readonly batchSizes?: readonly number[];

  /** Relative tolerance of comparisons; default 1e-5. */
  readonly tolerance?: number;

  /** The package's `register`, to check rule `registration under its token`. */
  readonly register?: RegisterPlugins;

  /** The tensor backend the describe wrapper selects first; default `cpu`; `false` keeps the current one. */
  readonly backend?: BackendName | false;
}

/** A scorer check: throws a {@link ConformanceError} naming its rule. */
export type ScorerCheck = (descriptor: ScorerDescriptor, settings: ScorerConformanceSettings) => void;

interface Prepared {
  readonly label: string;
  readonly options: unknown;
  readonly batchSizes: readonly number[];
  readonly tolerance: number;
}

function prepare(descriptor: ScorerDescriptor, settings: ScorerConformanceSettings): Prepared {
  return {
    label: pluginLabel(descriptor),
    options: checkOptionsSchema(descriptor, settings.options ?? {}),
    batchSizes: settings.batchSizes ?? [1, 3],
    tolerance: settings.tolerance ?? 1e-5,
  };
}

/** Builds the scorer and the members, runs `body`, and disposes the members. */
function withEnsemble<T>(
  descriptor: ScorerDescriptor,
  settings: ScorerConformanceSettings,
  rule: ConformanceRule,
  body: (scorer: UncertaintyScorer, members: Backbone[], prepared: Prepared) => T,
): T {
  const prepared = prepare(descriptor, settings);
  const scorer = underRule(rule, prepared.label, () => descriptor.create(prepared.options));
  const members = settings.members();
  try {
    if (members.length < scorer.minMembers) {
      throw new ConformanceError(rule, prepared.label, `the settings' members() gives ${members.length} learners but the scorer needs ${scorer.minMembers}; build more.`);
    }
    return underRule(rule, prepared.label, () => body(scorer, members, prepared));
  } finally {
    for (const member of members) member.dispose();
  }
}

/** Tolerance scaled to the size of the values compared. */
function scaled(tolerance: number, ...tensors: tf.Tensor[]): number {
  const largest = Math.max(1, ...tensors.map((tensor) => tf.tidy(() => tf.max(tf.abs(tensor)).dataSync()[0]!)));
  return tolerance * largest;
}

/**
 * Rule `options schema` for a scorer.
 *
 * @example
 * checkScorerOptions(dsuScorer, { members: () => buildMembers(3) });
 * @throws ConformanceError naming the rule.
 */
export const checkScorerOptions: ScorerCheck = (descriptor, settings) => {
  prepare(descriptor, settings);
};

/**
 * Rule `matching id`: the scorer carries the descriptor's id and a whole minMembers of at least 1.
 *
 * @example
 * checkScorerIdentity(dsuScorer, { members: () => buildMembers(3) });
 * @throws ConformanceError naming the rule.
 */
export const checkScorerIdentity: ScorerCheck = (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'matching id';
  const scorer = underRule(rule, prepared.label, () => descriptor.create(prepared.options));

  if (scorer.id !== descriptor.id) throw new ConformanceError(rule, prepared.label, `the scorer's id is "${scorer.id}", expected "${descriptor.id}".`);
  if (!Number.isInteger(scorer.minMembers) || scorer.minMembers < 1) {
    throw new ConformanceError(rule, prepared.label, `minMembers is ${scorer.minMembers}, expected a whole number of at least 1.`);
  }
};

/**
 * Rule `output shapes and dtypes`: image scores are float32 [B] and pixel maps, when asked for, float32
 * [B, S, S, 1], for every batch size.
 *
 * @example
 * checkScorerShapes(dsuScorer, { members: () => buildMembers(3), batchSizes: [2] });
 * @throws ConformanceError naming the rule and the batch size.
 */
export const checkScorerShapes: ScorerCheck = (descriptor, settings) => {
  const rule: ConformanceRule = 'output shapes and dtypes';
  withEnsemble(descriptor, settings, rule, (scorer, members, prepared) => {
    const side = members[0]!.imageSize;
    for (const batch of prepared.batchSizes) {
      tf.tidy(() => {
        const result = scorer.score(members, randomImages(batch, side, `shapes/${batch}`), { pixelMaps: true });
        expectShape(rule, prepared.label, `imageScores at batch ${batch}`, result.imageScores, [batch]);
        expectShape(rule, prepared.label, `pixelMaps at batch ${batch}`, result.pixelMaps, [batch, side, side, 1]);
      });
    }
  });
};

/**
 * Rule `pixel maps on request`: without `{ pixelMaps: true }` the result contains image scores only, so callers that
 * dispose imageScores leak nothing.
 *
 * @example
 * checkScorerPixelMapsOnRequest(dsuScorer, { members: () => buildMembers(3) });
 * @throws ConformanceError naming the rule.
 */
export const checkScorerPixelMapsOnRequest: ScorerCheck = (descriptor, settings) => {
  const rule: ConformanceRule = 'pixel maps on request';
  withEnsemble(descriptor, settings, rule, (scorer, members, prepared) => {
    tf.tidy(() => {
      const result = scorer.score(members, randomImages(2, members[0]!.imageSize, 'on-request'));
      if (result.pixelMaps !== undefined) {
        throw new ConformanceError(rule, prepared.label, 'score() returned pixelMaps although options.pixelMaps was not set; return them only on request.');
      }
    });
  });
};

/**
 * Rule `image score is the pixel-map mean`: each image score equals the mean over pixels of its pixel map.
 *
 * @example
 * checkScorerImageScoreIsMapMean(dsuScorer, { members: () => buildMembers(3) });
 * @throws ConformanceError naming the rule.
 */
export const checkScorerImageScoreIsMapMean: ScorerCheck = (descriptor, settings) => {
  const rule: ConformanceRule = 'image score is the pixel-map mean';
  withEnsemble(descriptor, settings, rule, (scorer, members, prepared) => {
    tf.tidy(() => {
      const result = scorer.score(members, randomImages(3, members[0]!.imageSize, 'mean'), { pixelMaps: true });
      const means = tf.mean(result.pixelMaps!, [1, 2, 3]);
      expectClose(rule, prepared.label, 'imageScores against the pixel-map means', result.imageScores, means, scaled(prepared.tolerance, means));
    });
  });
};

/**
 * Rule `batch independence`: an image scores the same alone as in a batch with others.
 *
 * @example
 * checkScorerBatchIndependence(dsuScorer, { members: () => buildMembers(3) });
 * @throws ConformanceError naming the rule.
 */
export const checkScorerBatchIndependence: ScorerCheck = (descriptor, settings) => {
  const rule: ConformanceRule = 'batch independence';
  withEnsemble(descriptor, settings, rule, (scorer, members, prepared) => {
    tf.tidy(() => {
      const batch = randomImages(3, members[0]!.imageSize, 'independence');
      const together = scorer.score(members, batch).imageScores;
      const alone = tf.concat([0, 1, 2].map((i) => scorer.score(members, tf.slice(batch, [i, 0, 0, 0], [1, -1, -1, -1])).imageScores));
      expectClose(rule, prepared.label, 'the image scores of a batch of 3 against each image scored alone', together, alone, scaled(prepared.tolerance, together));
    });
  });
};

/**
 * Rule `determinism under a seed`: scoring one batch twice gives the same scores.
 *
 * @example
 * checkScorerDeterminism(dsuScorer, { members: () => buildMembers(3) });
 * @throws ConformanceError naming the rule.
 */
export const checkScorerDeterminism: ScorerCheck = (descriptor, settings) => {
  const rule: ConformanceRule = 'determinism under a seed';
  withEnsemble(descriptor, settings, rule, (scorer, members, prepared) => {
    tf.tidy(() => {
      const batch = randomImages(2, members[0]!.imageSize, 'determinism');
      const first = scorer.score(members, batch, { pixelMaps: true });
      const second = scorer.score(members, batch, { pixelMaps: true });
      expectClose(rule, prepared.label, 'imageScores of two calls', first.imageScores, second.imageScores, 0);
      expectClose(rule, prepared.label, 'pixelMaps of two calls', first.pixelMaps, second.pixelMaps, 0);
    });
  });
};

/**
 * Rule `no tensor leaks`: score() leaves only its result behind, with and without pixel maps.
 *
 * @example
 * checkScorerLeaks(dsuScorer, { members: () => buildMembers(3) });
 * @throws ConformanceError naming the rule and the step that leaked.
 */
export const checkScorerLeaks: ScorerCheck = (descriptor, settings) => {
  const rule: ConformanceRule = 'no tensor leaks';
  withEnsemble(descriptor, settings, rule, (scorer, members, prepared) => {
    const batch = randomImages(2, members[0]!.imageSize, 'leaks');
    try {
      expectNoLeak(prepared.label, 'score() without pixel maps, result disposed', () => disposeAll(scorer.score(members, batch)));
      expectNoLeak(prepared.label, 'score() with pixel maps, result disposed', () => disposeAll(scorer.score(members, batch, { pixelMaps: true })));
    } finally {
      batch.dispose();
    }
  });
};

/**
 * Rule `finite values and gradients on edge inputs`: image scores and pixel maps are finite on zeros, a constant,
 * ±1 and identical images.
 *
 * @example
 * checkScorerEdgeInputs(dsuScorer, { members: () => buildMembers(3) });
 * @throws ConformanceError naming the rule and the edge input.
 */
export const checkScorerEdgeInputs: ScorerCheck = (descriptor, settings) => {
  const rule: ConformanceRule = 'finite values and gradients on edge inputs';
  withEnsemble(descriptor, settings, rule, (scorer, members, prepared) => {
    const side = members[0]!.imageSize;
    for (const [name, values] of edgeMatrices(3, side * side, 'edge')) {
      tf.tidy(() => {
        const result = scorer.score(members, tf.tensor4d(values, [3, side, side, 1]), { pixelMaps: true });
        expectFinite(rule, prepared.label, `imageScores on ${name} input`, result.imageScores);
        if (result.pixelMaps) expectFinite(rule, prepared.label, `pixelMaps on ${name} input`, result.pixelMaps);
      });
    }
  });
};

/**
 * Rule `minimum members`: minMembers learners are enough, and one fewer is rejected with a D2ueError (which the
 * evaluator turns into "n/a").
 *
 * @example
 * checkScorerMinMembers(dsuScorer, { members: () => buildMembers(3) });
 * @throws ConformanceError naming the rule and the number of members.
 */
export const checkScorerMinMembers: ScorerCheck = (descriptor, settings) => {
  const rule: ConformanceRule = 'minimum members';
  withEnsemble(descriptor, settings, rule, (scorer, members, prepared) => {
    tf.tidy(() => {
      const batch = randomImages(2, members[0]!.imageSize, 'min-members');
      expectFinite(rule, prepared.label, `imageScores with ${scorer.minMembers} member(s)`, scorer.score(members.slice(0, scorer.minMembers), batch).imageScores);

      const fewer = scorer.minMembers - 1;
      let thrown: unknown;
      try {
        scorer.score(members.slice(0, fewer), batch);
      } catch (error) {
        thrown = error;
      }
      if (!(thrown instanceof D2ueError)) {
        throw new ConformanceError(rule, prepared.label, `${fewer} member(s), below minMembers ${scorer.minMembers}, ${thrown === undefined ? 'were accepted' : `threw ${String(thrown)}`}; throw a D2ueError.`);
      }
    });
  });
};

/** Every scorer check with its rule, in the order the describe wrapper runs them. */
export const SCORER_CHECKS: ReadonlyArray<readonly [ConformanceRule, ScorerCheck]> = [
  ['options schema', checkScorerOptions],
  ['matching id', checkScorerIdentity],
  ['output shapes and dtypes', checkScorerShapes],
  ['pixel maps on request', checkScorerPixelMapsOnRequest],
  ['image score is the pixel-map mean', checkScorerImageScoreIsMapMean],
  ['batch independence', checkScorerBatchIndependence],
  ['determinism under a seed', checkScorerDeterminism],
  ['no tensor leaks', checkScorerLeaks],
  ['finite values and gradients on edge inputs', checkScorerEdgeInputs],
  ['minimum members', checkScorerMinMembers],
];

/**
 * Declares a vitest suite `scorer "<id>" conformance` with one test per rule, plus
 * `rule: registration under its token` when `settings.register` is given.
 *
 * @example
 * import { describeScorerConformance } from '@d2ue/core/testing';
 * import { aeBackbone } from '@d2ue/backbones';
 * import { maxErrorScorer, register } from '../src/index.js';
 *
 * const options = aeBackbone.options.parse({ imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 });
 * describeScorerConformance(maxErrorScorer, {
 *   members: () => [0, 1, 2].map((i) => aeBackbone.create(options, { seed: `member-${i}` })),
 *   register,
 * });
 */
export function describeScorerConformance(descriptor: ScorerDescriptor, settings: ScorerConformanceSettings): void {
  describe(`${pluginLabel(descriptor)} conformance`, () => {
    beforeAll(async () => {
      if (settings.backend !== false) await selectBackend(settings.backend ?? 'cpu');
    });

    for (const [rule, check] of SCORER_CHECKS) it(`rule: ${rule}`, () => check(descriptor, settings));

    const register = settings.register;
    if (register !== undefined) it('rule: registration under its token', () => void checkRegistered(register, 'scorer', descriptor.id));
  });
}
