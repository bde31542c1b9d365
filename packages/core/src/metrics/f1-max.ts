/**
 * The best F1 score over all thresholds of an anomaly score, and the threshold that reaches it.
 *
 * Source: scikit-learn 1.2 `precision_recall_curve` (one point per distinct score, an image is called abnormal when
 * its score is >= the threshold) and F1 = 2·P·R / (P + R) at each point. The reference script
 * fixtures/metrics/make_metrics_fixtures.py computes the same from sklearn's curve.
 */

import { binaryCurve } from './roc.js';

/** The best operating point by F1. */
export interface F1Max {
  /** The highest F1 over all thresholds. */
  readonly f1: number;

  /** The score threshold reaching it: images with score >= threshold are called abnormal. */
  readonly threshold: number;

  /** Precision and recall at that threshold. */
  readonly precision: number;
  readonly recall: number;
}

/**
 * F1-max: the maximum F1 over the precision-recall curve. When several thresholds reach the same F1, the lowest of
 * them is reported, as `numpy.argmax` over sklearn's ascending thresholds picks it.
 *
 * @param scores - One finite anomaly score per image; higher means more anomalous.
 * @param labels - One label per image: 0 (normal) or 1 (abnormal); both must occur.
 * @throws D2ueError (code `data`) when the lengths differ, a score is not finite, a label is not 0 or 1, or only one
 *   class is present.
 * @example
 * f1Max([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // { f1: 0.8, threshold: 0.35, precision: 0.6666…, recall: 1 }
 */
export function f1Max(scores: ArrayLike<number>, labels: ArrayLike<number>): F1Max {
  const curve = binaryCurve('F1-max', scores, labels);

  // Walk from the lowest threshold up so a tie keeps the lowest threshold; `>` keeps the first maximum.
  let best: F1Max = { f1: -1, threshold: Number.NaN, precision: 0, recall: 0 };
  for (let i = curve.thresholds.length - 1; i >= 0; i--) {
    const tps = curve.tps[i] as number;
    const precision = tps / (tps + (curve.fps[i] as number));
    const recall = tps / curve.positives;

    // sklearn's formula, term for term, so the value matches to the last bit; P + R = 0 gives F1 = 0.
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    if (f1 > best.f1) best = { f1, threshold: curve.thresholds[i] as number, precision, recall };
  }

  return best;
}
