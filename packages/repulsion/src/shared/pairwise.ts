import * as tf from '@tensorflow/tfjs-core';
import { D2ueError, type RepulsionContext, type RepulsionView } from '@d2ue/core';

/** One pairwise term R(junior, senior) of a repulsion term, given the input batch. */
export type PairTerm = (junior: RepulsionView, senior: RepulsionView, input: tf.Tensor4D) => tf.Scalar;

/** The batch requirement of a term, for {@link meanOverSeniors} to check. */
export interface BatchRequirement {
  /** The term's id, for the message. */
  readonly term: string;
  readonly minBatchSize: number;

  /** The reason the term needs that many images, for the message. */
  readonly reason: string;
}

/**
 * Computes the repulsion value of the contract: the mean over seniors j of R(junior, senior_j), and 0 for learner
 * 0 (no seniors, so no batch check either). One tidy frees the per-senior scalars.
 *
 * @throws D2ueError (shape) when there are seniors and the batch is below `requirement.minBatchSize`.
 */
export function meanOverSeniors(context: RepulsionContext, requirement: BatchRequirement, pair: PairTerm): tf.Scalar {
  if (context.seniors.length === 0) return tf.scalar(0);
  assertBatchSize(requirement.term, requirement.minBatchSize, context.input.shape[0], requirement.reason);

  return tf.tidy(() => {
    const terms = context.seniors.map((senior) => pair(context.junior, senior, context.input));
    return tf.mean(tf.stack(terms)) as tf.Scalar;
  });
}

/**
 * Throws unless the batch has at least `minBatchSize` rows. The trainer checks `training.batchSize` against
 * `minBatchSize` before training; this guards direct calls, whose last batch may be smaller.
 *
 * @throws D2ueError (shape) naming `training.batchSize`.
 */
export function assertBatchSize(term: string, minBatchSize: number, batchSize: number, reason: string): void {
  if (batchSize < minBatchSize) {
    throw new D2ueError(
      'shape',
      `repulsion "${term}": needs a batch of at least ${minBatchSize} images (${reason}), got ${batchSize}. Raise training.batchSize.`,
      { subject: 'training.batchSize' },
    );
  }
}

/**
 * Throws unless the junior's and the senior's tensors have the same shape, as terms that compare them element by
 * element (cosine, l2, negative-correlation) need. Learners of one run share backbone and tap, so a mismatch means
 * a caller mixed runs.
 *
 * @throws D2ueError (shape) with both shapes.
 */
export function assertSameShape(term: string, what: string, junior: readonly number[], senior: readonly number[]): void {
  const same = junior.length === senior.length && junior.every((size, axis) => size === senior[axis]);
  if (!same) {
    throw new D2ueError(
      'shape',
      `repulsion "${term}": the junior's and the senior's ${what} must have the same shape, got [${junior.join(', ')}] and [${senior.join(', ')}]. ` +
        'Compare learners of one backbone at one feature tap.',
      { subject: what },
    );
  }
}
