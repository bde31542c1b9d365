import type * as tf from '@tensorflow/tfjs-core';

import type { Backbone } from './backbone.js';

/** The result of scoring a batch of B images. */
export interface ScoreResult {
  /** One anomaly score per image, [B]: the mean over pixels of the pixel map. */
  readonly imageScores: tf.Tensor1D;

  /** The pixel maps, [B, H, W, 1], when they were asked for. */
  readonly pixelMaps?: tf.Tensor4D;
}

/** Options of one scoring call. */
export interface ScoreOptions {
  /** Return the pixel maps as well (costs memory; image scores alone are cheaper). */
  readonly pixelMaps?: boolean;
}

/**
 * An anomaly scorer over an ensemble of learners, all run in inference mode.
 * A score must not depend on the batch size or on the other images of the batch.
 */
export interface UncertaintyScorer {
  /** The plug-in id, e.g. `dsu`. */
  readonly id: string;

  /** The minimum number of members the scorer is defined for: 1 for reconstruction-style scorers, 2 for disagreement. */
  readonly minMembers: number;

  /**
   * The reason for `minMembers` when an option sets it rather than the method (e.g. `single` with `member: 2`).
   * The evaluator adds it to its "n/a" reason.
   */
  readonly minMembersReason?: string;

  /** Scores `batch` ([B, H, W, 1]) with `members`; the caller disposes the result. */
  score(members: readonly Backbone[], batch: tf.Tensor4D, options?: ScoreOptions): ScoreResult;
}
