import { z } from 'zod';

/**
 * Options of `l2`. λ (`repulsion.weight`) and the feature tap (`repulsion.tap`) are the host's, shared by every
 * repulsion term.
 */
export const L2OptionsSchema = z.strictObject({
  // τ in exp(−d² / τ), with d² the mean squared difference per feature (so τ does not depend on the tap's width).
  // A larger τ keeps the term sensitive to features that are already far apart. 1 is this project's choice: the
  // official code has no such term.
  temperature: z.number().positive({ error: 'must be a positive number (τ in exp(−d²/τ))' }).default(1),
});

/** Parsed options of the `l2` repulsion term. */
export type L2Options = z.output<typeof L2OptionsSchema>;
