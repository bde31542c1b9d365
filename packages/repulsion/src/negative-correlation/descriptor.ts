import type { RepulsionDescriptor } from '@d2ue/core';

import { NegativeCorrelation } from './negative-correlation.js';
import { NegativeCorrelationOptionsSchema } from './options.js';

/** The `repulsion:negative-correlation` plug-in. */
export const negativeCorrelationRepulsion: RepulsionDescriptor<typeof NegativeCorrelationOptionsSchema> = {
  kind: 'repulsion',
  id: 'negative-correlation',
  summary: 'Output-space negative correlation: mean Pearson correlation of the junior\'s and each senior\'s reconstruction errors.',
  options: NegativeCorrelationOptionsSchema,
  create: () => new NegativeCorrelation(),
};
