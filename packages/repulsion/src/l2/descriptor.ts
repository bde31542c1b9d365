import type { RepulsionDescriptor } from '@d2ue/core';

import { L2 } from './l2.js';
import { L2OptionsSchema } from './options.js';

/** The `repulsion:l2` plug-in. */
export const l2Repulsion: RepulsionDescriptor<typeof L2OptionsSchema> = {
  kind: 'repulsion',
  id: 'l2',
  summary: 'Bounded squared-distance repulsion: mean exp(−d²/τ) between the junior\'s and each senior\'s features.',
  options: L2OptionsSchema,
  create: (options) => new L2(options),
};
