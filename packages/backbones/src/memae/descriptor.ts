import type { BackboneDescriptor } from '@d2ue/core';

import { MemAe } from './memae.js';
import { MemAeOptionsSchema } from './options.js';

/** The `backbone:MemAE` plug-in. */
export const memAeBackbone: BackboneDescriptor<typeof MemAeOptionsSchema> = {
  kind: 'backbone',
  id: 'MemAE',
  summary: 'AE with a 25-slot memory on the latent code (4.49 M parameters at 64×64, width 1); loss: MSE + entropy weight × addressing entropy.',
  options: MemAeOptionsSchema,
  create: (options, { seed }) => new MemAe(options, seed),
  imageSize: (options) => options.imageSize,
};
