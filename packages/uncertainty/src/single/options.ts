import { z } from 'zod';

/** Options of the `single` scorer. */
export const SingleOptionsSchema = z.strictObject({
  // Members are numbered from 0; member 0 trains without seniors, like a plain autoencoder.
  member: z.int().min(0).default(0),
});

/** Options of the `single` scorer as written in a config. */
export type SingleOptionsInput = z.input<typeof SingleOptionsSchema>;

/** Parsed {@link SingleOptionsSchema}. */
export type SingleOptions = z.output<typeof SingleOptionsSchema>;
