import * as tf from '@tensorflow/tfjs-core';
import { assertShape } from '@d2ue/core';

// ε inside the logarithm of the official EntropyLoss.
const LOG_EPSILON = 1e-12;

/**
 * Mean addressing entropy, MemAE's sparsity term (official D2UE models/losses.py `EntropyLoss`, eps 1e-12, applied
 * by `EntropyLossEncap` to the [B, N] attention):
 *
 *   H = mean_b ( −Σᵢ wᵦᵢ · log(wᵦᵢ + 1e-12) )
 *
 * Shapes: attention [B, N] → scalar. Gradient: tfjs autodiff, −(log(w + ε) + w / (w + ε)) per weight, finite at
 * w = 0 thanks to ε.
 *
 * @example
 * const entropy = tf.tidy(() => addressingEntropy(output.attention));
 */
export function addressingEntropy(attention: tf.Tensor2D): tf.Scalar {
  assertShape('MemAE entropy', 'attention', attention.shape, [-1, -1]);

  return tf.tidy(() => {
    const perRow = tf.neg(tf.sum(tf.mul(attention, tf.log(tf.add(attention, LOG_EPSILON))), 1));
    return tf.mean(perRow);
  });
}
