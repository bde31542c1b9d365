/** @d2ue/uncertainty: anomaly scorers over a trained ensemble (reconstruction, output, gradient, DSU, single member). */
export { DsuOptionsSchema, DsuScorer, dsuScorer } from './dsu/dsu.js';
export { dualSpaceMap } from './dsu/dual-space-map.js';
export { GradientScorer, gradientScorer } from './gradient/gradient.js';
export { GradientOptionsSchema, type GradientOptions } from './gradient/options.js';
export { OutputOptionsSchema, OutputScorer, outputScorer } from './output/output.js';
export { ReconstructionOptionsSchema, ReconstructionScorer, reconstructionScorer } from './reconstruction/reconstruction.js';
export { SingleScorer, singleScorer } from './single/single.js';
export { SingleOptionsSchema, type SingleOptions, type SingleOptionsInput } from './single/options.js';
export { memberGradient, type MemberGradient } from './shared/input-gradient.js';
export { imageScores, predict, unbiasedStd, unbiasedVariance, type EnsemblePrediction } from './shared/ensemble.js';
export { register, scorers } from './register.js';
