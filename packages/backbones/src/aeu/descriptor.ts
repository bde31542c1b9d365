import type { BackboneDescriptor } from '@d2ue/core';

import { AeU } from './aeu.js';
import { AeUOptionsSchema } from './options.js';

/** The `backbone:AE-U` plug-in. */
export const aeUBackbone: BackboneDescriptor<typeof AeUOptionsSchema> = {
  kind: 'backbone',
  id: 'AE-U',
  summary: 'AE predicting a mean and a log-variance per pixel (4.49 M parameters at 64×64, width 1); loss: mean(e^{−s}(μ − x)²) + mean(s).',
  options: AeUOptionsSchema,
  create: (options, { seed }) => new AeU(options, seed),
  imageSize: (options) => options.imageSize,
};
