import { z } from 'zod';

/**
 * Options of RAR. λ (`repulsion.weight`) and the feature tap (`repulsion.tap`) are the host's, shared by every
 * repulsion term; RAR itself has none.
 */
export const RarOptionsSchema = z.strictObject({});

/** Parsed options of the `rar` repulsion term. */
export type RarOptions = z.output<typeof RarOptionsSchema>;
