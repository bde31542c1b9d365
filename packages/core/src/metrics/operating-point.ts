/**
 * Sensitivity at a target specificity and specificity at a target sensitivity, read off the ROC curve.
 *
 * Rule (no interpolation): only thresholds that exist are used, so the reported threshold reproduces the reported
 * rate on the same data. Sensitivity at specificity s is the highest TPR among ROC points with 1 − FPR >= s;
 * specificity at sensitivity t is the highest 1 − FPR among points with TPR >= t. The points are scikit-learn 1.2's
 * `roc_curve(..., drop_intermediate=False)`, including its leading (0, 0) point. The reference script
 * fixtures/metrics/make_metrics_fixtures.py applies the same rule with the same floating-point expressions.
 */

import { D2ueError, describeValue } from '../errors.js';
import { rocCurve } from './roc.js';

/** One ROC operating point chosen for a target rate. */
export interface OperatingPoint {
  /** The target the point was chosen for (a specificity or a sensitivity in [0, 1]). */
  readonly target: number;

  /** True positive rate at the point. */
  readonly sensitivity: number;

  /** 1 − false positive rate at the point. */
  readonly specificity: number;

  /**
   * The score threshold of the point: images with score >= threshold are called abnormal. Infinity for the
   * leading (0, 0) point, where no image is called abnormal.
   */
  readonly threshold: number;
}

/**
 * The highest sensitivity whose specificity is at least `specificity` (default 0.95).
 *
 * @throws D2ueError (code `data`) for inputs the ROC curve rejects (single class, non-finite scores, …); (code
 *   `config`) when the target is not in [0, 1].
 * @example
 * sensitivityAtSpecificity([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.95).sensitivity; // 0.5
 */
export function sensitivityAtSpecificity(scores: ArrayLike<number>, labels: ArrayLike<number>, specificity = 0.95): OperatingPoint {
  checkTarget('specificity', specificity);
  const roc = rocCurve(scores, labels);

  // The (0, 0) point always qualifies (specificity 1), so the scan always returns a point.
  let best = 0;
  for (let i = 1; i < roc.fpr.length; i++) {
    if (1 - (roc.fpr[i] as number) >= specificity && (roc.tpr[i] as number) > (roc.tpr[best] as number)) best = i;
  }
  return point(roc, best, specificity);
}

/**
 * The highest specificity whose sensitivity is at least `sensitivity` (default 0.95).
 *
 * @throws D2ueError (code `data`) for inputs the ROC curve rejects; (code `config`) when the target is not in [0, 1].
 * @example
 * specificityAtSensitivity([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.95).specificity; // 0.5
 */
export function specificityAtSensitivity(scores: ArrayLike<number>, labels: ArrayLike<number>, sensitivity = 0.95): OperatingPoint {
  checkTarget('sensitivity', sensitivity);
  const roc = rocCurve(scores, labels);

  // The last point (1, 1) always qualifies (sensitivity 1); scan from the top so the first hit has the lowest FPR.
  let best = roc.fpr.length - 1;
  for (let i = 0; i < roc.fpr.length; i++) {
    if ((roc.tpr[i] as number) >= sensitivity) {
      best = i;
      break;
    }
  }
  return point(roc, best, sensitivity);
}

function point(roc: ReturnType<typeof rocCurve>, index: number, target: number): OperatingPoint {
  return {
    target,
    sensitivity: roc.tpr[index] as number,
    specificity: 1 - (roc.fpr[index] as number),
    threshold: roc.thresholds[index] as number,
  };
}

function checkTarget(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) {
    throw new D2ueError('config', `target ${name} is ${describeValue(value)}; it must be a rate in [0, 1], e.g. 0.95.`, {
      subject: `target ${name}`,
    });
  }
}
