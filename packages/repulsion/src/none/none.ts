import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { RepulsionDescriptor, RepulsionLoss } from '@d2ue/core';

/** `none` has no options. */
export const NoneOptionsSchema = z.strictObject({});

/** No repulsion: members train independently, a plain deep ensemble (the baseline of D2UE's ablation). */
export class NoRepulsion implements RepulsionLoss {
  readonly id = 'none';
  readonly minBatchSize = 1;

  compute(): tf.Scalar {
    return tf.scalar(0);
  }
}

/** The `repulsion:none` plug-in. */
export const noneRepulsion: RepulsionDescriptor<typeof NoneOptionsSchema> = {
  kind: 'repulsion',
  id: 'none',
  summary: 'No repulsion: an independent deep ensemble.',
  options: NoneOptionsSchema,
  create: () => new NoRepulsion(),
};
