import { z } from 'zod';

/**
 * Options of `cosine`: none of its own. λ (`repulsion.weight`) and the feature tap (`repulsion.tap`) are the
 * host's, shared by every repulsion term.
 */
export const CosineOptionsSchema = z.strictObject({});

/** Parsed options of the `cosine` repulsion term. */
export type CosineOptions = z.output<typeof CosineOptionsSchema>;
