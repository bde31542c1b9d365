import type * as tf from '@tensorflow/tfjs-core';
import type { RepulsionContext, RepulsionLoss } from '@d2ue/core';

import { meanOverSeniors } from '../shared/pairwise.js';
import type { KernelCkaOptions } from './options.js';
import { kernelCka } from './rbf-cka.js';

/**
 * Kernel-CKA repulsion: the mean over seniors j of the RBF-kernel CKA between the junior's and senior j's features
 * at the tap (see rbf-cka.ts). Like RAR it ignores scaling and rotation of either representation, but it also
 * measures non-linear dependence between them. The value lies in [0, 1].
 */
export class KernelCka implements RepulsionLoss {
  readonly id = 'kernel-cka';

  // Centring needs two rows, and the median heuristic needs at least one pair of rows.
  readonly minBatchSize = 2;

  constructor(private readonly options: KernelCkaOptions) {}

  compute(context: RepulsionContext): tf.Scalar {
    const requirement = { term: this.id, minBatchSize: this.minBatchSize, reason: 'kernel CKA centres its kernel matrices over the batch' };
    return meanOverSeniors(context, requirement, (junior, senior) => kernelCka(junior.features, senior.features, this.options.bandwidth));
  }
}
