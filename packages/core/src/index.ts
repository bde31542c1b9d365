/**
 * @d2ue/core: the host of d2ue. Plug-in contracts, the DI container, config schemas, tensor backends, the trainer,
 * the evaluator, metrics and run folders. It depends on no plug-in package.
 */
import './backend/gradients.js';

export * from './errors.js';
export * from './tokens.js';
export * from './plugin.js';
export * from './container.js';
export * from './contracts/backbone.js';
export * from './contracts/repulsion.js';
export * from './contracts/scorer.js';
export * from './contracts/dataset.js';
export * from './random.js';
export * from './io/atomic.js';
export * from './io/safetensors.js';
export * from './config/schema.js';
export * from './config/load.js';
export * from './config/plugin-options.js';
export * from './backend/select.js';
export * from './metrics/index.js';
export * from './training/batches.js';
export * from './training/step.js';
export * from './training/trainer.js';
export * from './run/hash.js';
export * from './run/manifest.js';
export * from './run/member-weights.js';
export * from './evaluation/evaluate.js';
export * from './report/results.js';
export * from './app/plugins.js';
export * from './app/resolve.js';
export * from './app/data.js';
export * from './app/run-dir.js';
export * from './app/train-run.js';
export * from './app/evaluate-run.js';
