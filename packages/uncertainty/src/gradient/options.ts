import { z } from 'zod';

/** Options of the `gradient` scorer: none; it is defined by the ensemble alone. */
export const GradientOptionsSchema = z.strictObject({});

/** Parsed {@link GradientOptionsSchema}. */
export type GradientOptions = z.output<typeof GradientOptionsSchema>;
