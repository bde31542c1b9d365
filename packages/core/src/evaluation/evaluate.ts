import * as tf from '@tensorflow/tfjs-core';

import type { Backbone } from '../contracts/backbone.js';
import type { ImageSet } from '../contracts/dataset.js';
import type { UncertaintyScorer } from '../contracts/scorer.js';
import { auroc } from '../metrics/auroc.js';
import { averagePrecision } from '../metrics/average-precision.js';
import { batchRanges, gatherBatch, range } from '../training/batches.js';

/** One image's score. */
export interface ImageScore {
  readonly id: string;
  readonly label: number;
  readonly score: number;
}

/** One scorer's outcome on the test split. */
export type ScorerOutcome =
  | {
      readonly scorer: string;
      readonly members: number;
      readonly status: 'ok';
      readonly auroc: number;
      readonly averagePrecision: number;
      readonly scores: readonly ImageScore[];
    }
  | {
      readonly scorer: string;
      readonly members: number;
      readonly status: 'n/a';

      /** Why the scorer does not apply, e.g. too few members. */
      readonly reason: string;
    };

/** Options of {@link evaluateScorer}. */
export interface EvaluateOptions {
  /** Images per scoring batch; scores do not depend on it. Default 32. */
  readonly batchSize?: number;

  /** Called after each batch with the number of images scored so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Scores every test image with one scorer and computes image AUROC and average precision. Below the scorer's
 * `minMembers` the outcome is "n/a", not an error, so an ensemble-size sweep can include K = 1.
 */
export function evaluateScorer(
  scorer: UncertaintyScorer,
  members: readonly Backbone[],
  test: ImageSet,
  { batchSize = 32, onProgress }: EvaluateOptions = {},
): ScorerOutcome {
  if (members.length < scorer.minMembers) {
    return {
      scorer: scorer.id,
      members: members.length,
      status: 'n/a',
      reason: `needs at least ${scorer.minMembers} members, the ensemble has ${members.length}`,
    };
  }

  const values = new Float64Array(test.ids.length);
  for (const [start, end] of batchRanges(test.ids.length, batchSize)) {
    const batch = gatherBatch(test, range(start, end));
    const result = scorer.score(members, batch);
    values.set(result.imageScores.dataSync(), start);
    tf.dispose([batch, result.imageScores, result.pixelMaps]);
    onProgress?.(end, test.ids.length);
  }

  const scores = test.ids.map((id, i) => ({ id, label: test.labels[i]!, score: values[i]! }));
  return {
    scorer: scorer.id,
    members: members.length,
    status: 'ok',
    auroc: auroc(values, test.labels),
    averagePrecision: averagePrecision(values, test.labels),
    scores,
  };
}
