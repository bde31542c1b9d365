/**
 * Shared input checks and the distinct-threshold curve behind the image-level metrics.
 *
 * Source: scikit-learn 1.2 `sklearn/metrics/_ranking.py`, `_binary_clf_curve`. Scores are sorted from most to least
 * anomalous; each distinct score is one threshold, so tied scores enter the curve together as one step.
 */

import { D2ueError, describeValue } from '../errors.js';

/** Cumulative counts at each distinct threshold, from the highest score down to the lowest. */
export interface BinaryCurve {
  /** The distinct scores, in descending order. */
  readonly thresholds: Float64Array;

  /** True positives (abnormal images with score >= threshold) at each threshold. */
  readonly tps: Float64Array;

  /** False positives (normal images with score >= threshold) at each threshold. */
  readonly fps: Float64Array;

  /** Number of abnormal images (label 1). */
  readonly positives: number;

  /** Number of normal images (label 0). */
  readonly negatives: number;
}

/** The points of the ROC curve, starting at (0, 0) and ending at (1, 1). */
export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;

  /** The threshold of each point; the first point (0, 0) has threshold Infinity. */
  readonly thresholds: Float64Array;
}

/**
 * Checks that `scores` and `labels` describe a binary ranking problem with both classes present.
 *
 * @param metric - The metric's display name, used at the start of each message (e.g. `'AUROC'`).
 * @throws D2ueError (code `data`) when the lengths differ, a score is NaN or infinite, a label is not 0 or 1, or
 *   one of the two classes is missing.
 * @example
 * validateBinaryScores('AUROC', [0.1, 0.9], [0, 1]); // passes
 */
export function validateBinaryScores(metric: string, scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) {
    throw new D2ueError(
      'data',
      `${metric}: scores has ${scores.length} values but labels has ${labels.length}; ` +
        'pass exactly one label per score.',
      { subject: 'labels' },
    );
  }

  for (let i = 0; i < scores.length; i++) {
    const score = scores[i] as number;
    if (!Number.isFinite(score)) {
      throw new D2ueError(
        'data',
        `${metric}: scores[${i}] is ${describeNonFinite(score)}; every score must be a finite number. ` +
          'Check the scorer output for that image.',
        { subject: `scores[${i}]` },
      );
    }
  }

  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label !== 0 && label !== 1) {
      throw new D2ueError(
        'data',
        `${metric}: labels[${i}] is ${describeValue(label)}; each label must be 0 (normal) or 1 (abnormal).`,
        { subject: `labels[${i}]` },
      );
    }
    positives += label;
  }

  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    const missing =
      positives === 0 && negatives === 0
        ? 'the labels are empty, so both classes are missing'
        : positives === 0
          ? `all ${labels.length} labels are 0, so class 1 (abnormal) is missing`
          : `all ${labels.length} labels are 1, so class 0 (normal) is missing`;
    throw new D2ueError(
      'data',
      `${metric}: ${missing}; ${metric} needs both normal (0) and abnormal (1) images. ` +
        'Evaluate on a test split that holds both classes.',
      { subject: 'labels' },
    );
  }
}

/**
 * Sorts the images by descending score and counts true and false positives at each distinct score.
 *
 * Mirrors scikit-learn's `_binary_clf_curve` without sample weights: `fps = 1 + index - tps` at the last index of
 * each run of tied scores.
 *
 * @throws D2ueError (code `data`) for the inputs {@link validateBinaryScores} rejects.
 * @example
 * binaryCurve('AUROC', [0.2, 0.8, 0.8], [0, 1, 0]).tps; // Float64Array [1, 1]
 */
export function binaryCurve(metric: string, scores: ArrayLike<number>, labels: ArrayLike<number>): BinaryCurve {
  validateBinaryScores(metric, scores, labels);

  // Sort by descending score. The order inside a run of tied scores does not matter: the run counts as one step.
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number));

  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let truePositives = 0;
  for (let rank = 0; rank < n; rank++) {
    const index = order[rank] as number;
    truePositives += labels[index] as number;

    // Close a threshold at the end of each run of equal scores (and at the last image).
    const score = scores[index] as number;
    const isLast = rank === n - 1;
    if (isLast || (scores[order[rank + 1] as number] as number) !== score) {
      thresholds.push(score);
      tps.push(truePositives);
      fps.push(rank + 1 - truePositives);
    }
  }

  return {
    thresholds: Float64Array.from(thresholds),
    tps: Float64Array.from(tps),
    fps: Float64Array.from(fps),
    positives: truePositives,
    negatives: n - truePositives,
  };
}

/**
 * The ROC curve over distinct thresholds, as scikit-learn's `roc_curve` returns it with a leading (0, 0) point.
 *
 * NOTE: scikit-learn also drops collinear intermediate points (`drop_intermediate=True`); they are kept here. The
 * area under the curve is the same up to floating-point rounding.
 *
 * @throws D2ueError (code `data`) for the inputs {@link validateBinaryScores} rejects.
 * @example
 * rocCurve([0.1, 0.9], [0, 1]).tpr; // Float64Array [0, 1, 1]
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocCurve {
  const curve = binaryCurve('ROC curve', scores, labels);

  const size = curve.thresholds.length + 1;
  const fpr = new Float64Array(size);
  const tpr = new Float64Array(size);
  const thresholds = new Float64Array(size);
  thresholds[0] = Infinity;
  for (let i = 1; i < size; i++) {
    fpr[i] = (curve.fps[i - 1] as number) / curve.negatives;
    tpr[i] = (curve.tps[i - 1] as number) / curve.positives;
    thresholds[i] = curve.thresholds[i - 1] as number;
  }

  return { fpr, tpr, thresholds };
}

/** Names a non-finite number the way a user would type it. */
function describeNonFinite(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return describeValue(value);
}
