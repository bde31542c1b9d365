import { z } from 'zod';

const BANDWIDTH_MESSAGE = 'must be "median" or a positive number (σ of the RBF kernel)';

/**
 * Options of `kernel-cka`. λ (`repulsion.weight`) and the feature tap (`repulsion.tap`) are the host's, shared by
 * every repulsion term.
 */
export const KernelCkaOptionsSchema = z.strictObject({
  // σ of the RBF kernel exp(−‖a − b‖² / (2σ²)). "median" takes σ² = the median squared distance between the
  // batch's rows, per input, as the official kernel_CKA does when called without sigma; a number fixes σ for
  // both inputs (and gives up the invariance to scaling).
  bandwidth: z
    .union([z.literal('median'), z.number().positive({ error: BANDWIDTH_MESSAGE })], { error: BANDWIDTH_MESSAGE })
    .default('median'),
});

/** Parsed options of the `kernel-cka` repulsion term. */
export type KernelCkaOptions = z.output<typeof KernelCkaOptionsSchema>;
