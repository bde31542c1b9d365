import * as tf from '@tensorflow/tfjs-core';
import type { RepulsionLoss } from '@d2ue/core';

/** No repulsion: members train independently, a plain deep ensemble (the baseline of D2UE's ablation). */
export class NoRepulsion implements RepulsionLoss {
  readonly id = 'none';
  readonly minBatchSize = 1;

  compute(): tf.Scalar {
    return tf.scalar(0);
  }
}
