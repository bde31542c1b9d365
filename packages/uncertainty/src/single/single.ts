import * as tf from '@tensorflow/tfjs-core';
import { D2ueError, type Backbone, type ScoreOptions, type ScoreResult, type ScorerDescriptor, type UncertaintyScorer } from '@d2ue/core';

import { imageScores } from '../shared/ensemble.js';
import { SingleOptionsSchema, type SingleOptions } from './options.js';

/**
 * One member's reconstruction error, the single-model baseline (official test.py `test_single_model`): pixel map
 * (x − x̂_m)²; AE-U: e^{−s_m} (x − μ_m)². The other members are ignored.
 *
 * @example
 * const { imageScores } = new SingleScorer({ member: 1 }).score(members, batch);
 * @throws D2ueError `config` when the ensemble has no member with index `member`.
 */
export class SingleScorer implements UncertaintyScorer {
  readonly id = 'single';
  readonly minMembers: number;
  readonly minMembersReason: string;
  readonly member: number;

  constructor(options: SingleOptions = SingleOptionsSchema.parse({})) {
    this.member = options.member;
    this.minMembers = options.member + 1;
    this.minMembersReason = `option member = ${options.member}; members are numbered from 0`;
  }

  score(members: readonly Backbone[], batch: tf.Tensor4D, options: ScoreOptions = {}): ScoreResult {
    const member = members[this.member];
    if (!member) {
      throw new D2ueError(
        'config',
        `scorer "single": option member = ${this.member}, but the ensemble has ${members.length} members (0..${members.length - 1}); ` +
          'choose a smaller member index or a larger ensemble.',
        { subject: 'scorers.single.member' },
      );
    }

    return tf.tidy(() => {
      const output = member.apply(batch, { training: false });
      const error = tf.squaredDifference(batch, output.reconstruction);
      const maps = (output.logVariance ? tf.mul(tf.exp(tf.neg(output.logVariance)), error) : error) as tf.Tensor4D;
      return { imageScores: imageScores(maps), ...(options.pixelMaps ? { pixelMaps: maps } : {}) };
    });
  }
}

/** The `scorer:single` plug-in. */
export const singleScorer: ScorerDescriptor<typeof SingleOptionsSchema> = {
  kind: 'scorer',
  id: 'single',
  summary: 'One member\'s reconstruction error (x − x̂_m)², the single-model baseline; option member (default 0).',
  options: SingleOptionsSchema,
  create: (options) => new SingleScorer(options),
};
