import { z } from 'zod';

/**
 * The `ablation:` section of a config file: the grid `d2ue ablate` runs. Every key of `vary` is an axis of the
 * cross product; `seeds` are the repeats each cell is averaged over.
 *
 * An axis is either a list of values for one config key (`repulsion.name: [none, rar]`, each value swapped in as
 * `--set` would) or named variants, each a set of swaps made together
 * (`backbone: { variants: { AE-U: { backbone.name: AE-U, training.learningRate: 1.0e-3 } } }`).
 */

/** Named variants: label → `{ dotted.key: value }` swaps applied together. */
export const AblationVariantsSchema = z.strictObject({
  variants: z
    .record(z.string().min(1), z.record(z.string().min(1), z.unknown()))
    .refine((variants) => Object.keys(variants).length > 0, { message: 'give at least one variant' }),
});

/** One axis: values of the key it is named after, or named variants. */
export const AblationAxisSchema = z.union([z.array(z.unknown()).min(1, 'give at least one value'), AblationVariantsSchema]);

/** The `ablation` section of a config: the grid `d2ue ablate` trains and evaluates (docs/ablation.md). */
export const AblationSectionSchema = z.strictObject({
  // Run seeds (training.seed); each table cell is the mean over them. Default: the config's training.seed alone.
  seeds: z.array(z.int()).min(1).optional(),

  // Axis name (a dotted config key, or any name for variants) → axis, in the order the table's columns show them.
  vary: z.record(z.string().min(1), AblationAxisSchema).default({}),
});

/** The `ablation:` section as written. */
export type AblationSectionInput = z.input<typeof AblationSectionSchema>;

/** The `ablation:` section after validation. */
export type AblationSection = z.output<typeof AblationSectionSchema>;
