import { z } from 'zod';

import { AeOptionsSchema } from '../ae/options.js';

/**
 * Options of the MemAE backbone: the AE options plus the memory. Defaults are the official code's: `mem_size=25`
 * and `shrink_thres=0.0025` in models/mem_ae.py, `entropy_loss_weight: 0.0002` in cfgs/*_MemAE.yaml.
 *
 * Porting note: the official trainer builds the learner with `get_model(network, mp, ls, img_size, layer)`, which
 * passes no memory settings, so every official MemAE ran with 25 slots and threshold 0.0025 whatever its config
 * said (the configs set `shrink_thres: 0.0`). d2ue honours the values given here.
 */
export const MemAeOptionsSchema = AeOptionsSchema.extend({
  // Official `mem_size` / `mem_dim`: the number of memory slots N.
  memorySize: z.int().min(1).default(25),

  // Official `shrink_thres` λ: addressing weights below λ are set to 0; 0 turns the shrinkage off.
  shrinkThreshold: z.number().min(0).lt(1).default(0.0025),

  // Official `entropy_loss_weight`: the weight of the mean addressing entropy in the loss.
  entropyWeight: z.number().min(0).default(2e-4),
});

/** MemAE options as written in a config. */
export type MemAeOptionsInput = z.input<typeof MemAeOptionsSchema>;

/** MemAE options with defaults filled in. */
export type MemAeOptions = z.output<typeof MemAeOptionsSchema>;
