import * as tf from '@tensorflow/tfjs-core';
import type { RepulsionContext, RepulsionLoss } from '@d2ue/core';

import { linearCka } from '../cka/linear-cka.js';

/**
 * Redundancy-Aware Repulsion (D2UE, arXiv 2409.17485, Sec. 3.2): the mean over seniors j of CKA(F_i, F_j), the
 * linear CKA between the junior's and each frozen senior's features at the tap. Minimising it pushes the junior's
 * representation away from its seniors' up to scaling and rotation, which a plain distance would not ignore.
 */
export class Rar implements RepulsionLoss {
  readonly id = 'rar';

  // Centring needs two rows: with one, every centred Gram matrix is zero.
  readonly minBatchSize = 2;

  compute({ junior, seniors }: RepulsionContext): tf.Scalar {
    return tf.tidy(() => {
      if (seniors.length === 0) return tf.scalar(0);
      // Seniors' features arrive detached: the trainer computes them outside the gradient tape.
      const terms = seniors.map((senior) => linearCka(junior.features, senior.features));
      return tf.mean(tf.stack(terms)) as tf.Scalar;
    });
  }
}
