import * as tf from '@tensorflow/tfjs-core';

import type { Backbone } from '../contracts/backbone.js';
import type { ImageSet } from '../contracts/dataset.js';
import type { UncertaintyScorer } from '../contracts/scorer.js';
import { auroc } from '../metrics/auroc.js';
import { averagePrecision } from '../metrics/average-precision.js';
import { bootstrapCi, type ConfidenceInterval } from '../metrics/bootstrap.js';
import { f1Max } from '../metrics/f1-max.js';
import { sensitivityAtSpecificity, type OperatingPoint } from '../metrics/operating-point.js';
import { batchRanges, gatherBatch, range } from '../training/batches.js';
import { copyPixelMaps, pixelMetrics } from './pixel-maps.js';
import { tieWarnings } from './warnings.js';

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

      /** The best F1 over all thresholds and its threshold (images with score >= it are abnormal). */
      readonly f1Max: number;
      readonly f1Threshold: number;

      /** The highest sensitivity at specificity >= the target (default 0.95), with its threshold. */
      readonly sensitivityAtSpecificity: OperatingPoint;

      /** Stratified percentile bootstrap interval of the AUROC. */
      readonly aurocCi: ConfidenceInterval;

      /** Pixel AUROC over all test pixels; set when the test split has masks. */
      readonly pixelAuroc?: number;

      /** Normalised area under the PRO curve up to the FPR limit (default 0.3); set when the test split has masks. */
      readonly aupro?: number;

      /** Problems with the scores that do not stop the evaluation, e.g. every image tied. */
      readonly warnings: string[];
      readonly scores: readonly ImageScore[];
    }
  | {
      readonly scorer: string;
      readonly members: number;
      readonly status: 'n/a';

      /** The reason the scorer does not apply, e.g. too few members. */
      readonly reason: string;
    };

/** Options of {@link evaluateScorer}. */
export interface EvaluateOptions {
  /** Images per scoring batch; scores do not depend on it. Default 32. */
  readonly batchSize?: number;

  /** Resamples of the AUROC bootstrap interval. Default 1000. */
  readonly bootstrapResamples?: number;

  /** Seed of the bootstrap resampling. Default `'bootstrap'`. */
  readonly bootstrapSeed?: string;

  /** The specificity at which sensitivity is reported. Default 0.95. */
  readonly targetSpecificity?: number;

  /** The FPR up to which AUPRO integrates, when the test split has masks. Default 0.3 (MVTec AD). */
  readonly auproFprLimit?: number;

  /** Called after each batch with the number of images scored so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Scores every test image with one scorer and computes image AUROC (with a bootstrap interval), average
 * precision, F1-max and sensitivity at a target specificity. When the test split has masks, it also computes pixel
 * AUROC and AUPRO from the scorer's pixel maps, kept for all test images (N·S·S floats). Below the scorer's `minMembers` the outcome is
 * "n/a", not an error, so an ensemble-size sweep can include K = 1.
 *
 * @example
 * const outcome = evaluateScorer(new DsuScorer(), members, data.test, { batchSize: 32 });
 * @throws D2ueError `data` when the test split lacks a class or a score or map value is not finite; `plugin` when
 * the scorer returns no pixel maps (or misshapen ones) for a test split with masks.
 */
export function evaluateScorer(
  scorer: UncertaintyScorer,
  members: readonly Backbone[],
  test: ImageSet,
  {
    batchSize = 32,
    bootstrapResamples = 1000,
    bootstrapSeed = 'bootstrap',
    targetSpecificity = 0.95,
    auproFprLimit = 0.3,
    onProgress,
  }: EvaluateOptions = {},
): ScorerOutcome {
  if (members.length < scorer.minMembers) {
    const because = scorer.minMembersReason ? ` (${scorer.minMembersReason})` : '';
    return {
      scorer: scorer.id,
      members: members.length,
      status: 'n/a',
      reason: `needs at least ${scorer.minMembers} members${because}, the ensemble has ${members.length}`,
    };
  }

  // Pixel maps are kept only when masks can score them.
  const values = new Float64Array(test.ids.length);
  const maps = test.masks ? new Float32Array(test.ids.length * test.size * test.size) : null;
  for (const [start, end] of batchRanges(test.ids.length, batchSize)) {
    const batch = gatherBatch(test, range(start, end));
    const result = maps ? scorer.score(members, batch, { pixelMaps: true }) : scorer.score(members, batch);
    try {
      values.set(result.imageScores.dataSync(), start);
      if (maps) copyPixelMaps(scorer.id, result.pixelMaps, maps, start, test.size);
    } finally {
      tf.dispose([batch, result.imageScores, result.pixelMaps]);
    }
    onProgress?.(end, test.ids.length);
  }
  const pixel = maps ? pixelMetrics(scorer.id, maps, test, auproFprLimit) : null;

  const scores = test.ids.map((id, i) => ({ id, label: test.labels[i]!, score: values[i]! }));
  const f1 = f1Max(values, test.labels);
  return {
    scorer: scorer.id,
    members: members.length,
    status: 'ok',
    auroc: auroc(values, test.labels),
    averagePrecision: averagePrecision(values, test.labels),
    f1Max: f1.f1,
    f1Threshold: f1.threshold,
    sensitivityAtSpecificity: sensitivityAtSpecificity(values, test.labels, targetSpecificity),
    aurocCi: bootstrapCi(auroc, values, test.labels, { resamples: bootstrapResamples, seed: bootstrapSeed }),
    ...(pixel?.pixelAuroc !== undefined ? { pixelAuroc: pixel.pixelAuroc, aupro: pixel.aupro } : {}),
    warnings: [...tieWarnings(scorer.id, values), ...(pixel?.warning !== undefined ? [pixel.warning] : [])],
    scores,
  };
}
