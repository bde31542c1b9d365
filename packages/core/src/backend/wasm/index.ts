/**
 * Training kernels for the tfjs `wasm` backend (tfjs-backend-wasm 4.22).
 *
 * Stock wasm cannot train a conv net (no Conv2DBackpropFilter) and runs transposed products and transposed
 * convolutions as scalar loops. `registerWasmTrainingKernels` installs:
 * - Conv2DBackpropFilter as one XNNPACK convolution (conv2d-backprop-filter.ts);
 * - BatchMatMul that materialises transposes so XNNPACK runs the product (batch-mat-mul.ts);
 * - Conv2DBackpropInput by phase decomposition into one stride-1 convolution (conv2d-backprop-input.ts);
 * - Sum and Mean over every axis but the last through XNNPACK average pooling (channel-reduction.ts);
 * - SplitV and Concat along an inner axis through transposes (split-concat.ts);
 * - Identity and same-dtype Cast that share the input's buffer instead of copying it (shared-buffer.ts).
 * scripts/bench-wasm-step.mjs times an AE training step with each subset of these kernels.
 *
 * Finding the .wasm binary: importing '@tensorflow/tfjs-backend-wasm' under Node loads its CommonJS build, which
 * reads `tfjs-backend-wasm-simd.wasm` from its own `dist/` folder (`__dirname`), so a workspace install needs no
 * `setWasmPaths`. Multithreading is off under Node in 4.22, so the single-threaded SIMD binary is used.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import { makeBatchMatMulWasm } from './batch-mat-mul.js';
import { makeMeanWasm, makeSumWasm } from './channel-reduction.js';
import { conv2DBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { makeConv2DBackpropInputWasm } from './conv2d-backprop-input.js';
import { overrideWasmKernel } from './kernel-utils.js';
import { makeCastWasm, makeIdentityWasm } from './shared-buffer.js';
import { makeConcatWasm, makeSplitVWasm } from './split-concat.js';

export { planMatMul, type MatMulPlan } from './batch-mat-mul.js';
export { planChannelPool, type ChannelPoolPlan } from './channel-reduction.js';

/** The wasm kernels d2ue installs, in registration order (listed by `d2ue backends`). */
export const WASM_TRAINING_KERNELS = [
  tf.Conv2DBackpropFilter,
  tf.BatchMatMul,
  tf.Conv2DBackpropInput,
  tf.Sum,
  tf.Mean,
  tf.SplitV,
  tf.Concat,
  tf.Identity,
  tf.Cast,
] as const;

/**
 * Registers the d2ue training kernels for the `wasm` backend. Idempotent: a second call (also from another copy
 * of this module) changes nothing. Call it before or after `tf.setBackend('wasm')` resolves; either works,
 * because each replaced stock kernel keeps its setup function, which tfjs runs when the backend initialises.
 *
 * @example
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * @throws Error when the wasm backend package failed to register its stock kernels.
 */
export function registerWasmTrainingKernels(): void {
  overrideWasmKernel(tf.Conv2DBackpropFilter, () => conv2DBackpropFilterWasm);
  overrideWasmKernel(tf.BatchMatMul, makeBatchMatMulWasm);
  overrideWasmKernel(tf.Conv2DBackpropInput, makeConv2DBackpropInputWasm);
  overrideWasmKernel(tf.Sum, makeSumWasm);
  overrideWasmKernel(tf.Mean, makeMeanWasm);
  overrideWasmKernel(tf.SplitV, makeSplitVWasm);
  overrideWasmKernel(tf.Concat, makeConcatWasm);
  overrideWasmKernel(tf.Identity, makeIdentityWasm);
  overrideWasmKernel(tf.Cast, makeCastWasm);
}
