/**
 * Image-level average precision (AP): the step-wise area under the precision-recall curve.
 *
 * Source: scikit-learn 1.2 `average_precision_score` for binary labels:
 * AP = sum_n (R_n - R_{n-1}) * P_n over distinct thresholds in descending order, with R_0 = 0 and no interpolation.
 */

import { binaryCurve } from './roc.js';

/**
 * Average precision of anomaly scores against 0 (normal) / 1 (abnormal) labels; a higher score means more anomalous.
 *
 * @param scores - One finite anomaly score per image.
 * @param labels - One label per image: 0 (normal) or 1 (abnormal); both must occur.
 * @returns A value in (0, 1]: 1 ranks every abnormal image above every normal one; chance is the abnormal fraction.
 * @throws D2ueError (code `data`) when the lengths differ, a score is NaN or infinite, a label is not 0 or 1, or
 *   only one class is present.
 * @example
 * averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.8333333333333333
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const curve = binaryCurve('average precision', scores, labels);

  // Each distinct threshold adds its recall gain weighted by its precision, so tied scores enter as one step.
  let sum = 0;
  let previousRecall = 0;
  for (let i = 0; i < curve.thresholds.length; i++) {
    const tps = curve.tps[i] as number;
    const precision = tps / (tps + (curve.fps[i] as number));
    const recall = tps / curve.positives;
    sum += (recall - previousRecall) * precision;
    previousRecall = recall;
  }

  return sum;
}
