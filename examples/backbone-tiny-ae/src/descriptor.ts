import type { BackboneDescriptor } from '@d2ue/core';

import { TinyAeOptionsSchema } from './options.js';
import { TinyAe } from './tiny-ae.js';

/** The `backbone:tiny-ae` plug-in. */
export const tinyAeBackbone: BackboneDescriptor<typeof TinyAeOptionsSchema> = {
  kind: 'backbone',
  id: 'tiny-ae',
  summary: 'A tiny convolutional autoencoder (two conv blocks, latent 16; about 40 k parameters at 32×32); loss: mean squared error.',
  options: TinyAeOptionsSchema,
  create: (options, { seed }) => new TinyAe(options, seed),
  imageSize: (options) => options.imageSize,
};
