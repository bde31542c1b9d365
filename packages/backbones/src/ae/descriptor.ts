import type { BackboneDescriptor } from '@d2ue/core';

import { Ae } from './ae.js';
import { AeOptionsSchema } from './options.js';

/** The `backbone:AE` plug-in. */
export const aeBackbone: BackboneDescriptor<typeof AeOptionsSchema> = {
  kind: 'backbone',
  id: 'AE',
  summary: 'Convolutional autoencoder of D2UE (4.49 M parameters at 64×64, width 1); loss: mean squared error.',
  options: AeOptionsSchema,
  create: (options, { seed }) => new Ae(options, seed),
  imageSize: (options) => options.imageSize,
};
