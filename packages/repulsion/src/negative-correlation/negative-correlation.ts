import * as tf from '@tensorflow/tfjs-core';
import { assertShape, type RepulsionContext, type RepulsionLoss } from '@d2ue/core';

import { assertSameShape, meanOverSeniors } from '../shared/pairwise.js';

/**
 * Below this, the product of the two residuals' sums of squares counts as zero (a residual that is constant over
 * the image). The denominator is clamped to its root, so the correlation is 0 with a finite gradient.
 */
export const CORRELATION_EPSILON = 1e-8;

/**
 * Mean Pearson correlation of two learners' residuals, image by image, over the pixels:
 *
 *   r_b = x̂_b − x_b,  r̃_b = r_b − mean_pixels(r_b)          for each learner
 *   ρ(R_i, R_j) = (1/B) Σ_b ⟨r̃_ib, r̃_jb⟩ / (‖r̃_ib‖ ‖r̃_jb‖)
 *
 * Shapes: the input x and both reconstructions x̂_i, x̂_j are [B, H, W, C]; the result is a scalar in [−1, 1].
 *
 * Source: negative correlation learning (Liu and Yao, 1999) adds to each member's loss a penalty that is low when
 * its error is negatively correlated with the others' errors, so that the ensemble mean cancels errors. This term
 * takes that idea to reconstructions in the normalised (Pearson) form, so it is bounded and independent of the
 * error scale. The official D2UE code has no output-space term.
 */
export function residualCorrelation(input: tf.Tensor4D, reconstructionI: tf.Tensor4D, reconstructionJ: tf.Tensor4D): tf.Scalar {
  assertShape('residualCorrelation', 'the reconstruction', reconstructionI.shape, input.shape);
  assertShape('residualCorrelation', 'the other reconstruction', reconstructionJ.shape, input.shape);

  return tf.tidy(() => {
    const [batch] = input.shape;
    const centredResidual = (reconstruction: tf.Tensor4D): tf.Tensor2D => {
      const residual = tf.reshape(tf.sub(reconstruction, input), [batch, -1]);
      return tf.sub(residual, tf.mean(residual, 1, true)) as tf.Tensor2D;
    };
    const residualI = centredResidual(reconstructionI);
    const residualJ = centredResidual(reconstructionJ);

    const covariance = tf.sum(tf.mul(residualI, residualJ), 1);
    const squaredNorms = tf.mul(tf.sum(tf.square(residualI), 1), tf.sum(tf.square(residualJ), 1));
    const norms = tf.sqrt(tf.maximum(squaredNorms, CORRELATION_EPSILON * CORRELATION_EPSILON));
    return tf.mean(tf.div(covariance, norms)) as tf.Scalar;
  });
}

/**
 * Negative-correlation repulsion in output space: the mean over seniors j of {@link residualCorrelation} between
 * the junior's and senior j's reconstruction errors on the input batch. Minimising it makes the junior err where
 * its seniors do not, so the members disagree on the pixels they reconstruct badly. It reads the reconstructions
 * (the mean μ for AE-U), not the feature tap.
 */
export class NegativeCorrelation implements RepulsionLoss {
  readonly id = 'negative-correlation';

  // The correlation is taken over the pixels of each image, so one image suffices.
  readonly minBatchSize = 1;

  compute(context: RepulsionContext): tf.Scalar {
    const requirement = { term: this.id, minBatchSize: this.minBatchSize, reason: 'one image per correlation' };
    return meanOverSeniors(context, requirement, (junior, senior, input) => {
      assertSameShape(this.id, 'reconstruction', junior.output.reconstruction.shape, senior.output.reconstruction.shape);
      return residualCorrelation(input, junior.output.reconstruction, senior.output.reconstruction);
    });
  }
}
