import * as tf from '@tensorflow/tfjs-core';
import { D2ueError, type Backbone, type ScoreOptions, type ScoreResult, type UncertaintyScorer } from '@d2ue/core';

import type { MaxErrorOptions } from './options.js';

/**
 * max-error: the worst member at each pixel. Pixel map m = max_k e_k with e_k = (x − x̂_k)² (or |x − x̂_k| when
 * `squared` is false), x̂_k the reconstruction of member k in inference mode; image score = mean over pixels of m.
 *
 * With one member it equals the reconstruction error of that member; with more it flags a pixel as soon as one
 * learner fails to reconstruct it. AE-U's predicted variance is not used (x̂_k is the mean μ_k).
 */
export class MaxErrorScorer implements UncertaintyScorer {
  readonly id = 'max-error';
  readonly minMembers = 1;

  constructor(private readonly options: MaxErrorOptions) {}

  score(members: readonly Backbone[], batch: tf.Tensor4D, options: ScoreOptions = {}): ScoreResult {
    if (members.length < this.minMembers) {
      throw new D2ueError('config', `scorer "max-error" needs at least 1 member, got ${members.length}; train a run first.`, { subject: 'scorers' });
    }

    return tf.tidy(() => {
      const errors = members.map((member) => {
        const difference = tf.sub(batch, member.apply(batch, { training: false }).reconstruction);
        return this.options.squared ? tf.square(difference) : tf.abs(difference);
      });
      const map = tf.max(tf.stack(errors), 0) as tf.Tensor4D;

      const imageScores = tf.mean(map, [1, 2, 3]) as tf.Tensor1D;
      return { imageScores, ...(options.pixelMaps ? { pixelMaps: map } : {}) };
    });
  }
}
