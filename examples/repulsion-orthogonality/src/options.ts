import { z } from 'zod';

/**
 * Options of `orthogonality`. λ (`repulsion.weight`) and the feature tap (`repulsion.tap`) are the host's keys,
 * shared by every repulsion term, so a term never declares them.
 */
export const OrthogonalityOptionsSchema = z.strictObject({
  // Subtract each feature's batch mean first, so the term measures correlation between features. With false it
  // measures the cosine between raw feature columns, which a shared offset alone makes large.
  centre: z.boolean().default(true),
});

export type OrthogonalityOptions = z.output<typeof OrthogonalityOptionsSchema>;
