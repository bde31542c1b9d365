import type * as tf from '@tensorflow/tfjs-core';

import type { BackboneOutput } from './backbone.js';

/** One learner's output and tap features for the batch, as a repulsion term receives them. */
export interface RepulsionView {
  /** The learner's full output on the batch. */
  readonly output: BackboneOutput;

  /** Its features at the term's tap, [B, D]. */
  readonly features: tf.Tensor2D;
}

/**
 * The inputs of a repulsion term for one training step of junior i: the junior's view, the frozen seniors' views
 * (detached, computed in inference mode) and the input batch.
 */
export interface RepulsionContext {
  /** The input batch, [B, H, W, 1]. */
  readonly input: tf.Tensor4D;

  readonly junior: RepulsionView;

  /** Learners 0..i-1, in order; empty for learner 0. */
  readonly seniors: readonly RepulsionView[];
}

/**
 * A repulsion term R: the trainer adds λ · R(context) to the junior's loss.
 * The value is the mean over seniors of a pairwise term, and 0 when there are no seniors.
 */
export interface RepulsionLoss {
  /** The plug-in id, e.g. `rar`. */
  readonly id: string;

  /** The smallest batch the term is defined for (CKA needs 2 rows to centre). */
  readonly minBatchSize: number;

  /** The term's value, differentiable with respect to the junior's tensors. */
  compute(context: RepulsionContext): tf.Scalar;
}
