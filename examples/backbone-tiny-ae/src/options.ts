import { z } from 'zod';

/** Options of the `tiny-ae` backbone; strict, so a misspelt option in a config is an error. */
export const TinyAeOptionsSchema = z.strictObject({
  /** Input side in pixels; a multiple of 4 (two stride-2 convolutions). */
  imageSize: z.int().min(4).multipleOf(4).default(32),

  /** Channels of the first convolution; the second has twice as many. */
  channels: z.int().min(1).default(8),

  /** Size of the latent code z (feature tap 2). */
  latentSize: z.int().min(1).default(16),
});

/** `tiny-ae` options as a config writes them. */
export type TinyAeOptionsInput = z.input<typeof TinyAeOptionsSchema>;

/** `tiny-ae` options with defaults filled in. */
export type TinyAeOptions = z.output<typeof TinyAeOptionsSchema>;
