import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Backbone, ScoreOptions, ScoreResult, ScorerDescriptor, UncertaintyScorer } from '@d2ue/core';

import { imageScores, predict, requireMembers } from '../shared/ensemble.js';

/** `reconstruction` has no options. */
export const ReconstructionOptionsSchema = z.strictObject({});

/**
 * Ensemble reconstruction error (official test.py `evaluate_ens`): pixel map (x − mean_k x̂_k)²; for AE-U divided by
 * the mean predicted variance mean_k e^{s_k}. With one member it is that member's error.
 */
export class ReconstructionScorer implements UncertaintyScorer {
  readonly id = 'reconstruction';
  readonly minMembers = 1;

  score(members: readonly Backbone[], batch: tf.Tensor4D, options: ScoreOptions = {}): ScoreResult {
    requireMembers(this.id, members, this.minMembers);

    return tf.tidy(() => {
      const { reconstructions, meanVariance } = predict(members, batch);
      const error = tf.squaredDifference(batch, tf.mean(reconstructions, 0));
      const maps = (meanVariance ? tf.div(error, meanVariance) : error) as tf.Tensor4D;
      return { imageScores: imageScores(maps), ...(options.pixelMaps ? { pixelMaps: maps } : {}) };
    });
  }
}

/** The `scorer:reconstruction` plug-in. */
export const reconstructionScorer: ScorerDescriptor<typeof ReconstructionOptionsSchema> = {
  kind: 'scorer',
  id: 'reconstruction',
  summary: 'Ensemble reconstruction error (x − mean x̂)², AE-U: divided by the mean predicted variance.',
  options: ReconstructionOptionsSchema,
  create: () => new ReconstructionScorer(),
};
