import * as tf from '@tensorflow/tfjs-core';
import { assertShape, type RepulsionContext, type RepulsionLoss } from '@d2ue/core';

import { assertSameShape, meanOverSeniors } from '../shared/pairwise.js';
import type { L2Options } from './options.js';

/**
 * Bounded squared-distance similarity of matching rows (a baseline repulsion term):
 *
 *   d²_b = (1/D) ‖a_b − b_b‖²          mean squared difference per feature of image b
 *   S(A, B) = (1/B) Σ_b exp(−d²_b / τ)
 *
 * Shapes: A and B [B, D], the same shape; the result is a scalar in (0, 1], 1 when A = B. Minimising it pushes the
 * features apart, but the pull fades as exp(−d²/τ) once they are far apart, so the loss stays bounded below (a
 * raw −d² would reward growing the features without limit). It depends on the scale of the features.
 */
export function gaussianSimilarity(a: tf.Tensor2D, b: tf.Tensor2D, temperature: number): tf.Scalar {
  assertShape('gaussianSimilarity', 'A', a.shape, [-1, -1]);
  assertShape('gaussianSimilarity', 'B', b.shape, a.shape);

  return tf.tidy(() => {
    const squaredDistance = tf.mean(tf.square(tf.sub(a, b)), 1);
    return tf.mean(tf.exp(tf.div(tf.neg(squaredDistance), temperature))) as tf.Scalar;
  });
}

/** L2 repulsion: the mean over seniors j of {@link gaussianSimilarity} between the junior's and senior j's features. */
export class L2 implements RepulsionLoss {
  readonly id = 'l2';

  // Each image is compared on its own, so one image suffices.
  readonly minBatchSize = 1;

  constructor(private readonly options: L2Options) {}

  compute(context: RepulsionContext): tf.Scalar {
    const requirement = { term: this.id, minBatchSize: this.minBatchSize, reason: 'one image per comparison' };
    return meanOverSeniors(context, requirement, (junior, senior) => {
      assertSameShape(this.id, 'features', junior.features.shape, senior.features.shape);
      return gaussianSimilarity(junior.features, senior.features, this.options.temperature);
    });
  }
}
