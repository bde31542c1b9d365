import type { RepulsionDescriptor } from '@d2ue/core';

import { OrthogonalityOptionsSchema } from './options.js';
import { Orthogonality } from './orthogonality.js';

/** The `repulsion:orthogonality` plug-in. */
export const orthogonalityRepulsion: RepulsionDescriptor<typeof OrthogonalityOptionsSchema> = {
  kind: 'repulsion',
  id: 'orthogonality',
  summary: 'Mean squared correlation between every junior feature and every senior feature (example plug-in).',
  options: OrthogonalityOptionsSchema,
  create: (options) => new Orthogonality(options),
};
