import { z } from 'zod';

/**
 * Options of `negative-correlation`: none of its own. It reads the reconstructions, so `repulsion.tap` does not
 * affect it; λ (`repulsion.weight`) still scales it.
 */
export const NegativeCorrelationOptionsSchema = z.strictObject({});

/** Parsed options of the `negative-correlation` repulsion term. */
export type NegativeCorrelationOptions = z.output<typeof NegativeCorrelationOptionsSchema>;
