import type * as tf from '@tensorflow/tfjs-core';

/** Options of one backbone call. */
export interface ApplyOptions {
  /** Training mode: BatchNorm uses batch statistics and updates its running averages. */
  readonly training: boolean;

  /** Feature taps to return (0..8, see {@link Backbone.tapCount}); none when omitted. */
  readonly taps?: readonly number[];
}

/** The output of one learner for a batch `x` of shape [B, H, W, 1]. */
export interface BackboneOutput {
  /** The reconstruction x̂ (the mean μ for AE-U), [B, H, W, 1]. */
  readonly reconstruction: tf.Tensor4D;

  /** The requested feature taps, each flattened to [B, D]. */
  readonly features: ReadonlyMap<number, tf.Tensor2D>;

  /** The predicted log-variance s, [B, H, W, 1]; AE-U only. */
  readonly logVariance?: tf.Tensor4D;

  /** The memory addressing weights, [B, slots]; MemAE only. */
  readonly attention?: tf.Tensor2D;
}

/**
 * One learner of the ensemble. Layout is NHWC; images are scaled to [-1, 1].
 *
 * Weights cross the boundary as a PyTorch state dict (names and layouts of the official D2UE code), so a run's
 * safetensors files load in PyTorch and the official checkpoints load here.
 */
export interface Backbone {
  /** The plug-in id the backbone was built from, e.g. `AE`. */
  readonly id: string;

  /** The side of the square input in pixels. */
  readonly imageSize: number;

  /** The number of feature taps; valid tap indices are 0..tapCount-1. */
  readonly tapCount: number;

  /** Runs the network on `x` ([B, imageSize, imageSize, 1]). The caller disposes the outputs. */
  apply(x: tf.Tensor4D, options: ApplyOptions): BackboneOutput;

  /** The backbone's own training loss for `x` and its output, as a scalar. */
  loss(x: tf.Tensor4D, output: BackboneOutput): tf.Scalar;

  /** The variables an optimizer updates (BatchNorm running statistics excluded). */
  trainableVariables(): tf.Variable[];

  /** Every weight as PyTorch names it, in PyTorch's layout; the caller disposes the tensors. */
  stateDict(): Map<string, tf.Tensor>;

  /** Loads weights named and laid out as {@link Backbone.stateDict} returns them. */
  loadStateDict(weights: ReadonlyMap<string, tf.Tensor>): void;

  /** The options the backbone was built with; feeding them to its factory rebuilds the same network. */
  getConfig(): Record<string, unknown>;

  /** Frees every variable. */
  dispose(): void;
}
