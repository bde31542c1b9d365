/**
 * The precision-recall curve, as scikit-learn 1.2's `precision_recall_curve` defines its points, ordered from the
 * highest threshold down and starting at (recall 0, precision 1) like sklearn's final point.
 */

import { binaryCurve } from './roc.js';

/** Points of the precision-recall curve, from the highest threshold down. */
export interface PrecisionRecallCurve {
  readonly precision: Float64Array;
  readonly recall: Float64Array;

  /** The threshold of each point; the first point (recall 0, precision 1) has threshold Infinity. */
  readonly thresholds: Float64Array;
}

/**
 * Computes one point per distinct score plus the leading (0, 1) point.
 *
 * @throws D2ueError (code `data`) for the inputs {@link validateBinaryScores} rejects.
 * @example
 * precisionRecallCurve([0.1, 0.9], [0, 1]).precision; // Float64Array [1, 1, 0.5]
 */
export function precisionRecallCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): PrecisionRecallCurve {
  const curve = binaryCurve('precision-recall curve', scores, labels);

  const size = curve.thresholds.length + 1;
  const precision = new Float64Array(size);
  const recall = new Float64Array(size);
  const thresholds = new Float64Array(size);
  precision[0] = 1;
  thresholds[0] = Infinity;
  for (let i = 1; i < size; i++) {
    const tps = curve.tps[i - 1] as number;
    precision[i] = tps / (tps + (curve.fps[i - 1] as number));
    recall[i] = tps / curve.positives;
    thresholds[i] = curve.thresholds[i - 1] as number;
  }

  return { precision, recall, thresholds };
}
