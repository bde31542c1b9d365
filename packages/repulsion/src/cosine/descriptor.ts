import type { RepulsionDescriptor } from '@d2ue/core';

import { Cosine } from './cosine.js';
import { CosineOptionsSchema } from './options.js';

/** The `repulsion:cosine` plug-in. */
export const cosineRepulsion: RepulsionDescriptor<typeof CosineOptionsSchema> = {
  kind: 'repulsion',
  id: 'cosine',
  summary: 'Mean cosine similarity between the junior\'s and each senior\'s feature vector of every image.',
  options: CosineOptionsSchema,
  create: () => new Cosine(),
};
