import type { RepulsionDescriptor } from '@d2ue/core';

import { RarOptionsSchema } from './options.js';
import { Rar } from './rar.js';

/** The `repulsion:rar` plug-in. */
export const rarRepulsion: RepulsionDescriptor<typeof RarOptionsSchema> = {
  kind: 'repulsion',
  id: 'rar',
  summary: 'Redundancy-Aware Repulsion: mean linear CKA between the junior\'s and each senior\'s features (D2UE).',
  options: RarOptionsSchema,
  create: () => new Rar(),
};
