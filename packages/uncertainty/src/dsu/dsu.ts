import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Backbone, ScoreOptions, ScoreResult, ScorerDescriptor, UncertaintyScorer } from '@d2ue/core';

import { imageScores, requireMembers, unbiasedStd } from '../shared/ensemble.js';
import { dualSpaceMap } from './dual-space-map.js';

/** `dsu` has no options. */
export const DsuOptionsSchema = z.strictObject({});

/**
 * Dual-Space Uncertainty (D2UE, Sec. 3.3): std_k of the members' dual-space maps r_k ⊙ g_k (unbiased), which
 * measures disagreement in output space and in input-gradient space at once. AE-U divides each map by
 * √(mean_k e^{s_k}) first, as the official code does.
 */
export class DsuScorer implements UncertaintyScorer {
  readonly id = 'dsu';
  readonly minMembers = 2;

  score(members: readonly Backbone[], batch: tf.Tensor4D, options: ScoreOptions = {}): ScoreResult {
    requireMembers(this.id, members, this.minMembers);

    return tf.tidy(() => {
      const perMember = members.map((member) => dualSpaceMap(member, batch));
      let stacked: tf.Tensor = tf.stack(perMember.map((entry) => entry.map));

      const variances = perMember.map((entry) => entry.variance);
      if (variances.every((v): v is tf.Tensor4D => v !== undefined)) {
        stacked = tf.div(stacked, tf.sqrt(tf.mean(tf.stack(variances), 0)));
      }

      const maps = unbiasedStd(stacked) as tf.Tensor4D;
      return { imageScores: imageScores(maps), ...(options.pixelMaps ? { pixelMaps: maps } : {}) };
    });
  }
}

/** The `scorer:dsu` plug-in. */
export const dsuScorer: ScorerDescriptor<typeof DsuOptionsSchema> = {
  kind: 'scorer',
  id: 'dsu',
  summary: 'Dual-space uncertainty: std over members of |x̂ − x| ⊙ ∂mean|x̂ − x|/∂x (D2UE).',
  options: DsuOptionsSchema,
  create: () => new DsuScorer(),
};
