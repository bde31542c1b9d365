/** @d2ue/uncertainty: anomaly scorers over a trained ensemble (reconstruction, output, DSU). */
export { DsuOptionsSchema, DsuScorer, dsuScorer } from './dsu/dsu.js';
export { dualSpaceMap } from './dsu/dual-space-map.js';
export { OutputOptionsSchema, OutputScorer, outputScorer } from './output/output.js';
export { ReconstructionOptionsSchema, ReconstructionScorer, reconstructionScorer } from './reconstruction/reconstruction.js';
export { imageScores, predict, unbiasedStd, unbiasedVariance, type EnsemblePrediction } from './shared/ensemble.js';
export { register, scorers } from './register.js';
