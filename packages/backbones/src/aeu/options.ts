import { z } from 'zod';

import { AeOptionsSchema } from '../ae/options.js';

/**
 * Options of the AE-U backbone: the AE options plus the log-variance clamp. The other defaults are the AE's
 * (official cfgs/*_AEU.yaml: mp 1, ls 16, img_size 64).
 */
export const AeUOptionsSchema = AeOptionsSchema.extend({
  // Bounds [min, max] on the predicted log-variance s. The official code has none; d2ue clamps s so that e^{±s}
  // stays within e^{10} ≈ 2.2e4 and the loss and scores stay finite. Inside the bounds the loss equals the official.
  logVarianceClamp: z
    .tuple([z.number(), z.number()])
    .default([-10, 10])
    .refine(([min, max]) => min < max, { message: 'logVarianceClamp must be [min, max] with min < max' }),
});

/** AE-U options as written in a config. */
export type AeUOptionsInput = z.input<typeof AeUOptionsSchema>;

/** AE-U options with defaults filled in. */
export type AeUOptions = z.output<typeof AeUOptionsSchema>;
