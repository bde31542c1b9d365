import { z } from 'zod';

/** Options of `none`: none. `repulsion.weight` and `repulsion.tap` are accepted by the host and have no effect. */
export const NoneOptionsSchema = z.strictObject({});

/** Parsed options of the `none` repulsion term. */
export type NoneOptions = z.output<typeof NoneOptionsSchema>;
