import * as tf from '@tensorflow/tfjs-core';
import { assertShape } from '@d2ue/core';

import { batchNormTraining } from './batch-norm-training.js';
import type { Layer } from './layer.js';
import { assignFrom, filledVariable, readCounter, takeWeight } from './weights.js';

/** Arguments of {@link BatchNorm}; PyTorch's `nn.BatchNorm1d` / `nn.BatchNorm2d`. */
export interface BatchNormArgs {
  readonly features: number;

  /** PyTorch's convention: running = (1 − momentum)·running + momentum·batch. Default 0.1 (tfjs's 0.99 means 0.01). */
  readonly momentum?: number;

  /** Default 1e-5, PyTorch's (tfjs-layers uses 1e-3). */
  readonly epsilon?: number;
}

/**
 * Batch normalisation over every axis but the last (channels), for [B, F] and [B, H, W, C] inputs.
 *
 * Training mode runs `batchNormTraining` (batch-norm-training.ts), which has a closed-form gradient, rather than
 * `tf.batchNorm`. The gradient of `tf.batchNorm` builds full-size tiles, and with it an AE training step on wasm was
 * about 10 % slower (tfjs 4.22, measured on 2 CPU cores).
 * As in PyTorch, normalisation uses the biased batch variance and the running variance is updated with the
 * unbiased one. Like PyTorch it counts the training-mode passes in `num_batches_tracked` (exported as an int32
 * scalar, written to safetensors as I64), so `load_state_dict(strict=True)` finds every key it expects. The counter
 * only matters to PyTorch's cumulative-average mode (momentum None), which d2ue does not offer.
 */
export class BatchNorm implements Layer {
  static readonly className = 'BatchNorm';

  readonly args: Required<BatchNormArgs>;
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;

  /** PyTorch's `num_batches_tracked`: the number of training-mode passes since creation or the last load. */
  batchesTracked = 0;

  constructor(args: BatchNormArgs) {
    this.args = { momentum: 0.1, epsilon: 1e-5, ...args };
    const { features } = this.args;
    this.gamma = filledVariable([features], 1, true, 'bn_gamma');
    this.beta = filledVariable([features], 0, true, 'bn_beta');
    this.runningMean = filledVariable([features], 0, false, 'bn_running_mean');
    this.runningVar = filledVariable([features], 1, false, 'bn_running_var');
  }

  /** Normalises `x`: with the batch statistics (updating the running averages) in training, the running averages otherwise. */
  apply<T extends tf.Tensor2D | tf.Tensor4D>(x: T, training: boolean): T {
    const rank = x.rank;
    assertShape(BatchNorm.className, 'input', x.shape, rank === 2 ? [-1, this.args.features] : [-1, -1, -1, this.args.features]);

    if (!training) {
      return tf.tidy(() => this.normalise(x, this.runningMean, this.runningVar)) as T;
    }

    const { y, mean, variance } = batchNormTraining(x, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D, this.args.epsilon);
    this.batchesTracked += 1;
    this.updateRunningStatistics(mean, variance, x.size / this.args.features);
    tf.dispose([mean, variance]);
    return y;
  }

  private normalise(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): tf.Tensor {
    const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(variance, this.args.epsilon)));
    return tf.add(tf.mul(tf.sub(x, mean), scale), this.beta);
  }

  private updateRunningStatistics(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const { momentum } = this.args;
    const unbiased = count / Math.max(count - 1, 1);
    const nextMean = tf.tidy(() => tf.add(tf.mul(this.runningMean, 1 - momentum), tf.mul(mean, momentum)));
    const nextVar = tf.tidy(() => tf.add(tf.mul(this.runningVar, 1 - momentum), tf.mul(variance, momentum * unbiased)));
    this.runningMean.assign(nextMean);
    this.runningVar.assign(nextVar);
    nextMean.dispose();
    nextVar.dispose();
  }

  /** Variables an optimizer updates. */
  trainableVariables(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  exportWeights(prefix: string, out: Map<string, tf.Tensor>): void {
    out.set(`${prefix}weight`, tf.clone(this.gamma));
    out.set(`${prefix}bias`, tf.clone(this.beta));
    out.set(`${prefix}running_mean`, tf.clone(this.runningMean));
    out.set(`${prefix}running_var`, tf.clone(this.runningVar));
    out.set(`${prefix}num_batches_tracked`, tf.scalar(this.batchesTracked, 'int32'));
  }

  importWeights(prefix: string, weights: ReadonlyMap<string, tf.Tensor>): void {
    const shape = [this.args.features];
    assignFrom(this.gamma, () => tf.clone(takeWeight(weights, `${prefix}weight`, shape)));
    assignFrom(this.beta, () => tf.clone(takeWeight(weights, `${prefix}bias`, shape)));
    assignFrom(this.runningMean, () => tf.clone(takeWeight(weights, `${prefix}running_mean`, shape)));
    assignFrom(this.runningVar, () => tf.clone(takeWeight(weights, `${prefix}running_var`, shape)));

    // Optional, as in PyTorch, which fills a missing counter with 0 when the state dict carries no version.
    const counter = weights.get(`${prefix}num_batches_tracked`);
    this.batchesTracked = counter === undefined ? 0 : readCounter(counter, `${prefix}num_batches_tracked`);
  }

  getConfig(): Required<BatchNormArgs> {
    return { ...this.args };
  }

  /** Frees the layer's variables. */
  dispose(): void {
    for (const variable of [this.gamma, this.beta, this.runningMean, this.runningVar]) variable.dispose();
  }
}
