import type { RepulsionDescriptor } from '@d2ue/core';

import { KernelCka } from './kernel-cka.js';
import { KernelCkaOptionsSchema } from './options.js';

/** The `repulsion:kernel-cka` plug-in. */
export const kernelCkaRepulsion: RepulsionDescriptor<typeof KernelCkaOptionsSchema> = {
  kind: 'repulsion',
  id: 'kernel-cka',
  summary: 'Mean RBF-kernel CKA between the junior\'s and each senior\'s features (bandwidth: median heuristic or fixed).',
  options: KernelCkaOptionsSchema,
  create: (options) => new KernelCka(options),
};
