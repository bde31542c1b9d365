/** Image-level metrics, defined as scikit-learn defines them. */

export { auroc } from './auroc.js';
export { averagePrecision } from './average-precision.js';
export { binaryCurve, rocCurve, validateBinaryScores } from './roc.js';
export type { BinaryCurve, RocCurve } from './roc.js';
