import type { ScorerDescriptor } from '@d2ue/core';

import { MaxErrorScorer } from './max-error.js';
import { MaxErrorOptionsSchema } from './options.js';

/** The `scorer:max-error` plug-in. */
export const maxErrorScorer: ScorerDescriptor<typeof MaxErrorOptionsSchema> = {
  kind: 'scorer',
  id: 'max-error',
  summary: 'Worst member per pixel: max over members of (x − x̂_k)², averaged over pixels.',
  options: MaxErrorOptionsSchema,
  create: (options) => new MaxErrorScorer(options),
};
