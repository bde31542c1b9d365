import type * as tf from '@tensorflow/tfjs-core';
import { linearCka, type RepulsionContext, type RepulsionLoss } from '@d2ue/core';

import { meanOverSeniors } from '../shared/pairwise.js';

/**
 * Redundancy-Aware Repulsion (D2UE, arXiv 2409.17485, Sec. 3.2): the mean over seniors j of CKA(F_i, F_j), the
 * linear CKA between the junior's and each frozen senior's features at the tap. Minimising it pushes the junior's
 * representation away from its seniors' up to scaling and rotation, which a plain distance would not ignore.
 * The value lies in [0, 1].
 */
export class Rar implements RepulsionLoss {
  readonly id = 'rar';

  // Centring needs two rows: with one, every centred Gram matrix is zero.
  readonly minBatchSize = 2;

  compute(context: RepulsionContext): tf.Scalar {
    const requirement = { term: this.id, minBatchSize: this.minBatchSize, reason: 'linear CKA centres features over the batch' };

    // Seniors' features arrive detached: the trainer computes them outside the gradient tape.
    return meanOverSeniors(context, requirement, (junior, senior) => linearCka(junior.features, senior.features));
  }
}
