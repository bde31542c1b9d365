import { z } from 'zod';

/**
 * Options of the AE backbone (and the base of MemAE and AE-U). Defaults are the official configs'
 * (cfgs/*_AE.yaml: mp 1, ls 16, img_size 64; models/ae.py: mid_num 2048) and PyTorch's BatchNorm defaults.
 */
export const AeOptionsSchema = z.strictObject({
  // Official `mp`: channels are 16m, 32m, 64m, 64m; 16·m must be whole.
  widthMultiplier: z.number().positive().default(1),

  // Official `ls`: the size of the latent code z (feature tap 4).
  latentSize: z.int().min(1).default(16),

  // Input side in pixels; a multiple of 16 (four stride-2 blocks).
  imageSize: z.int().min(16).default(64),

  // Official `mid_num`: width of the two hidden bottleneck layers.
  bottleneckWidth: z.int().min(1).default(2048),

  // PyTorch's BatchNorm momentum convention and default (tfjs's 0.99 would be 0.01 here).
  batchNormMomentum: z.number().gt(0).lt(1).default(0.1),

  // PyTorch's BatchNorm epsilon (tfjs-layers uses 1e-3).
  batchNormEpsilon: z.number().positive().default(1e-5),
});

/** AE options as written in a config. */
export type AeOptionsInput = z.input<typeof AeOptionsSchema>;

/** AE options with defaults filled in. */
export type AeOptions = z.output<typeof AeOptionsSchema>;
