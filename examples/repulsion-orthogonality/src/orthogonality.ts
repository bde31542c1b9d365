import * as tf from '@tensorflow/tfjs-core';
import { D2ueError, type RepulsionContext, type RepulsionLoss } from '@d2ue/core';

import type { OrthogonalityOptions } from './options.js';

/**
 * Below this, a feature column's squared norm counts as zero (a feature that is constant over the batch). The norm
 * is clamped to its root, so that column contributes 0 with a finite gradient.
 */
export const COLUMN_EPSILON = 1e-8;

/**
 * Mean squared cosine between the feature columns of X [B, D₁] and Y [B, D₂]:
 *
 *   X̃ = X − 1·mean(X)  (when centring),  X̂ = X̃ with each column scaled to unit norm, likewise Ŷ
 *   C = X̂ᵀŶ  [D₁, D₂],  O(X, Y) = mean(C²)
 *
 * With centring, C contains the Pearson correlations between every feature of X and every feature of Y over the
 * batch, so O is 0 when the two feature sets are uncorrelated and 1 when every pair is perfectly correlated.
 * The result lies in [0, 1]. It ignores a rescaling of any single feature, but not rotations of the feature space.
 */
export function meanSquaredColumnCosine(x: tf.Tensor2D, y: tf.Tensor2D, centre: boolean): tf.Scalar {
  return tf.tidy(() => {
    const normalise = (matrix: tf.Tensor2D): tf.Tensor2D => {
      const centred = centre ? tf.sub(matrix, tf.mean(matrix, 0, true)) : matrix;
      const norms = tf.sqrt(tf.maximum(tf.sum(tf.square(centred), 0, true), COLUMN_EPSILON * COLUMN_EPSILON));
      return tf.div(centred, norms) as tf.Tensor2D;
    };

    const cosines = tf.matMul(normalise(x), normalise(y), true, false);
    return tf.mean(tf.square(cosines)) as tf.Scalar;
  });
}

/**
 * Orthogonality repulsion: the mean over seniors j of {@link meanSquaredColumnCosine} between the junior's and
 * senior j's features at the tap. Minimising it decorrelates every junior feature from every senior feature.
 */
export class Orthogonality implements RepulsionLoss {
  readonly id = 'orthogonality';

  // Centring over a single image leaves nothing, so the term needs two.
  readonly minBatchSize = 2;

  constructor(private readonly options: OrthogonalityOptions) {}

  compute({ junior, seniors, input }: RepulsionContext): tf.Scalar {
    // Learner 0 has no seniors and no repulsion.
    if (seniors.length === 0) return tf.scalar(0);

    const batchSize = input.shape[0];
    if (batchSize < this.minBatchSize) {
      throw new D2ueError(
        'shape',
        `repulsion "orthogonality": needs a batch of at least ${this.minBatchSize} images to correlate features, got ${batchSize}. Raise training.batchSize.`,
        { subject: 'training.batchSize' },
      );
    }

    return tf.tidy(() => {
      // Seniors' features arrive detached, so the gradient reaches the junior only.
      const terms = seniors.map((senior) => meanSquaredColumnCosine(junior.features, senior.features, this.options.centre));
      return tf.mean(tf.stack(terms)) as tf.Scalar;
    });
  }
}
