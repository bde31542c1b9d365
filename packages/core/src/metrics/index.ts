/** Image-level metrics, defined as scikit-learn defines them. */

export { auroc } from './auroc.js';
export { averagePrecision } from './average-precision.js';
export { binaryCurve, rocCurve, validateBinaryScores } from './roc.js';
export type { BinaryCurve, RocCurve } from './roc.js';
export { f1Max, type F1Max } from './f1-max.js';
export { sensitivityAtSpecificity, specificityAtSensitivity, type OperatingPoint } from './operating-point.js';
export { bootstrapCi, percentile, type BinaryMetric, type BootstrapOptions, type ConfidenceInterval } from './bootstrap.js';
export { chooseThreshold, nextUp, ThresholdPolicySchema, type ThresholdData, type ThresholdPolicy } from './threshold.js';
export { precisionRecallCurve, type PrecisionRecallCurve } from './pr-curve.js';
export { pixelAuroc } from './pixel-auroc.js';
export { aupro, proCurve, type AuproOptions, type ProCurve } from './aupro.js';
export { labelComponents, type PixelComponents } from './pixel-components.js';
