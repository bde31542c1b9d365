import type { RepulsionDescriptor } from '@d2ue/core';

import { NoRepulsion } from './none.js';
import { NoneOptionsSchema } from './options.js';

/** The `repulsion:none` plug-in. */
export const noneRepulsion: RepulsionDescriptor<typeof NoneOptionsSchema> = {
  kind: 'repulsion',
  id: 'none',
  summary: 'No repulsion: an independent deep ensemble.',
  options: NoneOptionsSchema,
  create: () => new NoRepulsion(),
};
