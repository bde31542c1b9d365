import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '@d2ue/core';

/** One member's per-image input gradient and the residual it comes from, for a batch [B, H, W, 1]. */
export interface MemberGradient {
  /** g = ∂ objective_b / ∂x_b for every image b, [B, H, W, 1]. */
  readonly gradient: tf.Tensor4D;

  /** |x̂ − x| (|μ − x| for AE-U), [B, H, W, 1]. */
  readonly residual: tf.Tensor4D;

  /** e^{s}, [B, H, W, 1]; AE-U only. */
  readonly variance?: tf.Tensor4D;
}

/**
 * Per-image input gradients of one member in one batched pass (D2UE, arXiv 2409.17485, Sec. 3.3; official test.py
 * `evaluate_grad`):
 *
 *   AE, MemAE:  objective_b = mean_pixels |x̂_b − x_b|
 *   AE-U:       objective_b = mean_pixels e^{−s_b} (x_b − μ_b)²
 *
 * The member runs in inference mode (BatchNorm uses its running statistics), so image b's output depends on x_b
 * alone and ∂(Σ_b objective_b)/∂x is every image's own gradient at once. The result therefore does not depend on the
 * batch size or on the other images, while one backward pass serves the whole batch (the official code runs one
 * image at a time).
 *
 * Shapes: batch [B, H, W, 1] → gradient, residual and variance [B, H, W, 1]. Call inside a tidy; the returned
 * tensors belong to the caller's scope.
 *
 * @example
 * const { gradient, residual } = tf.tidy(() => memberGradient(member, batch));
 */
export function memberGradient(member: Backbone, batch: tf.Tensor4D): MemberGradient {
  const pixels = batch.shape[1] * batch.shape[2] * batch.shape[3];

  // The forward pass inside tf.grad is kept, so the residual below needs no second forward pass.
  let reconstruction: tf.Tensor4D | undefined;
  let logVariance: tf.Tensor4D | undefined;
  const objective = (x: tf.Tensor): tf.Scalar => {
    const output = member.apply(x as tf.Tensor4D, { training: false });
    reconstruction = tf.keep(output.reconstruction);
    logVariance = output.logVariance ? tf.keep(output.logVariance) : undefined;

    const residual = output.logVariance
      ? tf.mul(tf.exp(tf.neg(output.logVariance)), tf.squaredDifference(x, output.reconstruction))
      : tf.abs(tf.sub(output.reconstruction, x));
    return tf.div(tf.sum(residual), pixels) as tf.Scalar;
  };

  let gradient: tf.Tensor4D;
  try {
    gradient = tf.grad(objective)(batch) as tf.Tensor4D;
  } catch (error) {
    tf.dispose([reconstruction, logVariance]);
    throw error;
  }

  // Copies made here join the caller's tidy scope; the kept originals are freed at once.
  const residual = tf.abs(tf.sub(reconstruction!, batch)) as tf.Tensor4D;
  const variance = logVariance ? (tf.exp(logVariance) as tf.Tensor4D) : undefined;
  tf.dispose([reconstruction, logVariance]);

  return variance ? { gradient, residual, variance } : { gradient, residual };
}
