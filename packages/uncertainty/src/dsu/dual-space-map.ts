import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '@d2ue/core';

/**
 * One member's dual-space map (D2UE, arXiv 2409.17485, Sec. 3.3; official test.py `evaluate_grad`):
 *
 *   AE, MemAE:  r = |x̂ − x|,   g = ∂ mean(r) / ∂x,                  map = r ⊙ g
 *   AE-U:       r = |μ − x|,   g = ∂ mean(e^{−s} (x − μ)²) / ∂x,     map = r ⊙ g
 *
 * The mean is over one image's pixels. The member runs in inference mode, so image b's output depends on x_b
 * alone and the gradient of Σ_b mean(r_b) with respect to the batch is every image's own gradient at once: the
 * map does not depend on the batch size or on the other images.
 *
 * Shapes: batch [B, H, W, 1] → map [B, H, W, 1]. Also returns e^{s} for AE-U, [B, H, W, 1].
 */
export function dualSpaceMap(member: Backbone, batch: tf.Tensor4D): { map: tf.Tensor4D; variance?: tf.Tensor4D } {
  return tf.tidy(() => {
    const pixels = batch.shape[1] * batch.shape[2] * batch.shape[3];

    // The sum over images of each image's mean residual; see the note above on per-image gradients.
    const objective = (x: tf.Tensor): tf.Scalar => {
      const output = member.apply(x as tf.Tensor4D, { training: false });
      const residual = output.logVariance
        ? tf.mul(tf.exp(tf.neg(output.logVariance)), tf.squaredDifference(x, output.reconstruction))
        : tf.abs(tf.sub(output.reconstruction, x));
      return tf.div(tf.sum(residual), pixels) as tf.Scalar;
    };
    const gradient = tf.grad(objective)(batch);

    const output = member.apply(batch, { training: false });
    const map = tf.mul(tf.abs(tf.sub(output.reconstruction, batch)), gradient) as tf.Tensor4D;
    return output.logVariance ? { map, variance: tf.exp(output.logVariance) as tf.Tensor4D } : { map };
  });
}
