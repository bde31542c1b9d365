import { z } from 'zod';

import { AblationSectionSchema } from '../ablation/schema.js';

/**
 * The run config: the single source of truth for names and defaults (docs/design.md, "Config and CLI").
 *
 * Sections that name a plug-in (`backbone`, `repulsion`, `data.builder`, `scorers`) keep their extra keys here;
 * the plug-in's own strict options schema checks them once the plug-in is known (see `resolveConfig`).
 */

/** The built-in plug-in packages, loaded when a config names none. */
export const DEFAULT_PLUGINS = ['@d2ue/backbones', '@d2ue/repulsion', '@d2ue/uncertainty', '@d2ue/datasets'];

/** The tensor backends d2ue can run on; `auto` picks the fastest that loads. */
export const BACKEND_NAMES = ['auto', 'gpu', 'node', 'wasm', 'cpu'] as const;

/** The zod schema of {@link BackendName}. */
export const BackendNameSchema = z.enum(BACKEND_NAMES);
/** A tensor backend name of a config or `--backend`: `auto`, `gpu`, `node`, `wasm` or `cpu`. */
export type BackendName = z.infer<typeof BackendNameSchema>;

const pluginName = z.string().min(1, 'must name a plug-in');

/** `backbone: { name, ...options }`; options are the backbone's own (widthMultiplier, latentSize, imageSize, ...). */
export const BackboneSectionSchema = z.looseObject({ name: pluginName.default('AE') });

/** `repulsion: { name, weight, tap, ...options }`. */
export const RepulsionSectionSchema = z.looseObject({
  name: pluginName.default('rar'),

  // λ in L_i = L_backbone + λ · mean_j R(F_i, F_j); the official D2UE configs use 1 (cfgs/*.yaml, Solver.Lambda).
  weight: z.number().min(0).default(1),

  // The feature tap the term reads: 4 is the latent code z (the official configs' Model.layer).
  tap: z.int().min(0).default(4),
});

/** `ensemble: { size }`: K learners trained one after another; D2UE (arXiv 2409.17485) uses 3. */
export const EnsembleSectionSchema = z.strictObject({
  size: z.int().min(1).default(3),
});

/** `training`: the optimisation protocol of the official configs (Solver section). */
export const TrainingSectionSchema = z.strictObject({
  epochs: z.int().min(1).default(250),
  batchSize: z.int().min(1).default(64),

  // Adam as in the official trainer.py: lr 5e-4 (AE-U configs: 1e-3), betas (0.5, 0.999), PyTorch's epsilon 1e-8.
  learningRate: z.number().positive().default(5e-4),
  betas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.5, 0.999]),
  adamEpsilon: z.number().positive().default(1e-8),

  // The run seed; member seeds derive from it (official configs: seed 8).
  seed: z.int().default(8),

  // Save a resumable checkpoint (weights, Adam state, shuffling state) every this many epochs, and always after a
  // learner's last epoch; a stop on SIGINT/SIGTERM saves one too. Only the latest checkpoint per learner is kept.
  checkpointEvery: z.int().min(1).default(1),
});

/** `data`: a Med-AD folder (`root`) or a builder that makes one (`builder` plus the builder's options). */
export const DataSectionSchema = z
  .looseObject({
    root: z.string().min(1).optional(),
    builder: z.string().min(1).optional(),

    // Raw intensities mapped to [-1, 1]; the image type's full range when omitted.
    intensityRange: z.tuple([z.number(), z.number()]).optional(),
  })
  .refine((data) => (data.root === undefined) !== (data.builder === undefined), {
    message: 'give exactly one of "root" (a Med-AD folder) or "builder" (e.g. "mnist")',
  });

/** A scorer by id, or `{ name, ...options }`. */
export const ScorerEntrySchema = z.union([pluginName, z.looseObject({ name: pluginName })]);

/** The whole run config; strict, so an unknown top-level key is an error. Defaults are the paper's protocol. */
export const ConfigSchema = z.strictObject({
  backbone: BackboneSectionSchema.default({ name: 'AE' }),
  repulsion: RepulsionSectionSchema.default({ name: 'rar', weight: 1, tap: 4 }),
  ensemble: EnsembleSectionSchema.default({ size: 3 }),
  training: TrainingSectionSchema.default(TrainingSectionSchema.parse({})),
  data: DataSectionSchema,
  scorers: z.array(ScorerEntrySchema).min(1).default(['reconstruction', 'output', 'dsu']),
  backend: BackendNameSchema.default('auto'),
  plugins: z.array(z.string().min(1)).default(DEFAULT_PLUGINS),

  // The grid of `d2ue ablate` (see docs/ablation.md); every other command ignores it.
  ablation: AblationSectionSchema.optional(),
});

/** A config as a user writes it (defaults optional). */
export type ConfigInput = z.input<typeof ConfigSchema>;

/** A config with every default filled in. */
export type Config = z.output<typeof ConfigSchema>;

/** The `training` section with defaults filled in. */
export type TrainingSection = z.output<typeof TrainingSectionSchema>;
