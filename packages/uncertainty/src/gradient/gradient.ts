import * as tf from '@tensorflow/tfjs-core';
import type { Backbone, ScoreOptions, ScoreResult, ScorerDescriptor, UncertaintyScorer } from '@d2ue/core';

import { imageScores, requireMembers, unbiasedStd } from '../shared/ensemble.js';
import { memberGradient } from '../shared/input-gradient.js';
import { GradientOptionsSchema } from './options.js';

/**
 * Gradient-space uncertainty, the input-gradient half of DSU alone (D2UE, arXiv 2409.17485, Sec. 3.3 ablation):
 * pixel map std_k g_k (unbiased), where g_k = ∂ mean|x̂_k − x| / ∂x per image. AE-U: g_k = ∂ mean(e^{−s_k}(x − μ_k)²)
 * / ∂x and each g_k is divided by √(mean_k e^{s_k}) first, as DSU does in the official test.py `evaluate_grad`.
 *
 * @example
 * const { imageScores } = new GradientScorer().score(members, batch);
 * @throws D2ueError `config` with fewer than 2 members.
 */
export class GradientScorer implements UncertaintyScorer {
  readonly id = 'gradient';
  readonly minMembers = 2;

  score(members: readonly Backbone[], batch: tf.Tensor4D, options: ScoreOptions = {}): ScoreResult {
    requireMembers(this.id, members, this.minMembers);

    return tf.tidy(() => {
      const perMember = members.map((member) => memberGradient(member, batch));
      let stacked: tf.Tensor = tf.stack(perMember.map((entry) => entry.gradient));

      const variances = perMember.map((entry) => entry.variance);
      if (variances.every((v): v is tf.Tensor4D => v !== undefined)) {
        stacked = tf.div(stacked, tf.sqrt(tf.mean(tf.stack(variances), 0)));
      }

      const maps = unbiasedStd(stacked) as tf.Tensor4D;
      return { imageScores: imageScores(maps), ...(options.pixelMaps ? { pixelMaps: maps } : {}) };
    });
  }
}

/** The `scorer:gradient` plug-in. */
export const gradientScorer: ScorerDescriptor<typeof GradientOptionsSchema> = {
  kind: 'scorer',
  id: 'gradient',
  summary: 'Gradient-space uncertainty: std over members of ∂mean|x̂ − x|/∂x (DSU without the residual factor).',
  options: GradientOptionsSchema,
  create: () => new GradientScorer(),
};
