/** @d2ue/backbones: the learners of a D2UE ensemble (AE) and their shared blocks. */
export { Ae } from './ae/ae.js';
export { aeBackbone } from './ae/descriptor.js';
export { AeOptionsSchema, type AeOptions, type AeOptionsInput } from './ae/options.js';
export { AutoencoderNetwork, TAP_COUNT, type AutoencoderArgs, type AutoencoderPass, type LatentTransform } from './blocks/autoencoder.js';
export { BatchNorm, type BatchNormArgs } from './blocks/batch-norm.js';
export { Conv2d, type Conv2dArgs } from './blocks/conv2d.js';
export { ConvTranspose2d, type ConvTranspose2dArgs } from './blocks/conv-transpose2d.js';
export { Linear, type LinearArgs, type FlatMap } from './blocks/linear.js';
export type { Layer } from './blocks/layer.js';
export { backbones, register } from './register.js';
