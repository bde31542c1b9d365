import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Backbone, ScoreOptions, ScoreResult, ScorerDescriptor, UncertaintyScorer } from '@d2ue/core';

import { imageScores, predict, requireMembers, unbiasedStd, unbiasedVariance } from '../shared/ensemble.js';

/** `output` has no options. */
export const OutputOptionsSchema = z.strictObject({});

/**
 * Output-space uncertainty (official test.py `evaluate_unc`): the members' disagreement in pixel space,
 * std_k x̂_k (unbiased); for AE-U √(var_k μ_k / mean_k e^{s_k}).
 */
export class OutputScorer implements UncertaintyScorer {
  readonly id = 'output';
  readonly minMembers = 2;

  score(members: readonly Backbone[], batch: tf.Tensor4D, options: ScoreOptions = {}): ScoreResult {
    requireMembers(this.id, members, this.minMembers);

    return tf.tidy(() => {
      const { reconstructions, meanVariance } = predict(members, batch);
      const maps = (
        meanVariance ? tf.sqrt(tf.div(unbiasedVariance(reconstructions), meanVariance)) : unbiasedStd(reconstructions)
      ) as tf.Tensor4D;
      return { imageScores: imageScores(maps), ...(options.pixelMaps ? { pixelMaps: maps } : {}) };
    });
  }
}

/** The `scorer:output` plug-in. */
export const outputScorer: ScorerDescriptor<typeof OutputOptionsSchema> = {
  kind: 'scorer',
  id: 'output',
  summary: 'Output-space uncertainty: unbiased std of the members\' reconstructions per pixel.',
  options: OutputOptionsSchema,
  create: () => new OutputScorer(),
};
