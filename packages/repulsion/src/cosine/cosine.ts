import * as tf from '@tensorflow/tfjs-core';
import { assertShape, type RepulsionContext, type RepulsionLoss } from '@d2ue/core';

import { assertSameShape, meanOverSeniors } from '../shared/pairwise.js';

/**
 * Below this, ‖a‖²·‖b‖² counts as zero (an all-zero feature row). The denominator is clamped to its root, so the
 * cosine is 0 with a finite gradient instead of 0/0.
 */
export const COSINE_EPSILON = 1e-8;

/**
 * Mean cosine similarity of matching rows (a baseline repulsion term):
 *
 *   cos(A, B) = (1/B) Σ_b ⟨a_b, b_b⟩ / (‖a_b‖ ‖b_b‖)
 *
 * Shapes: A and B [B, D], the same shape; the result is a scalar in [−1, 1]. It is invariant to positive scaling
 * of either input, but not to rotations: unlike CKA it compares the two feature spaces coordinate by coordinate.
 */
export function meanCosine(a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar {
  assertShape('meanCosine', 'A', a.shape, [-1, -1]);
  assertShape('meanCosine', 'B', b.shape, a.shape);

  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), 1);
    const squaredNorms = tf.mul(tf.sum(tf.square(a), 1), tf.sum(tf.square(b), 1));
    const norms = tf.sqrt(tf.maximum(squaredNorms, COSINE_EPSILON * COSINE_EPSILON));
    return tf.mean(tf.div(dot, norms)) as tf.Scalar;
  });
}

/**
 * Cosine repulsion: the mean over seniors j of the mean cosine similarity between the junior's and senior j's
 * feature vectors of each image. Minimising it turns the junior's features away from the seniors' coordinate by
 * coordinate. A rotated copy of a senior's representation still scores low, which CKA-based terms would catch.
 */
export class Cosine implements RepulsionLoss {
  readonly id = 'cosine';

  // Each image is compared on its own, so one image suffices.
  readonly minBatchSize = 1;

  compute(context: RepulsionContext): tf.Scalar {
    const requirement = { term: this.id, minBatchSize: this.minBatchSize, reason: 'one image per comparison' };
    return meanOverSeniors(context, requirement, (junior, senior) => {
      assertSameShape(this.id, 'features', junior.features.shape, senior.features.shape);
      return meanCosine(junior.features, senior.features);
    });
  }
}
