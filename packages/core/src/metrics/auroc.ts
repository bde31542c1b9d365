/**
 * Image-level AUROC: the area under the ROC curve of anomaly scores against 0 (normal) / 1 (abnormal) labels.
 *
 * Source: scikit-learn 1.2 `roc_auc_score` for binary labels, which integrates `roc_curve` with the trapezoid rule.
 * Tied scores form one threshold, so a tie between a normal and an abnormal image counts as half a correct pair.
 */

import { binaryCurve } from './roc.js';

/**
 * Area under the ROC curve; a higher score means more anomalous.
 *
 * @param scores - One finite anomaly score per image.
 * @param labels - One label per image: 0 (normal) or 1 (abnormal); both must occur.
 * @returns A value in [0, 1]: 1 ranks every abnormal image above every normal one, 0.5 is chance.
 * @throws D2ueError (code `data`) when the lengths differ, a score is NaN or infinite, a label is not 0 or 1, or
 *   only one class is present.
 * @example
 * auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const curve = binaryCurve('AUROC', scores, labels);

  // Trapezoid rule over the ROC points, starting from (0, 0) as sklearn's roc_curve does.
  let area = 0;
  let previousFpr = 0;
  let previousTpr = 0;
  for (let i = 0; i < curve.thresholds.length; i++) {
    const fpr = (curve.fps[i] as number) / curve.negatives;
    const tpr = (curve.tps[i] as number) / curve.positives;
    area += ((fpr - previousFpr) * (tpr + previousTpr)) / 2;
    previousFpr = fpr;
    previousTpr = tpr;
  }

  return area;
}
