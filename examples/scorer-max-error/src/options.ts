import { z } from 'zod';

/** Options of the `max-error` scorer; strict, so a misspelt option in a config is an error. */
export const MaxErrorOptionsSchema = z.strictObject({
  /** Square the per-member error (x − x̂_k)² instead of taking |x − x̂_k|. */
  squared: z.boolean().default(true),
});

/** `max-error` options as a config writes them. */
export type MaxErrorOptionsInput = z.input<typeof MaxErrorOptionsSchema>;

/** `max-error` options with defaults filled in. */
export type MaxErrorOptions = z.output<typeof MaxErrorOptionsSchema>;
