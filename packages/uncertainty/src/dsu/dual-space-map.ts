import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '@d2ue/core';

import { memberGradient } from '../shared/input-gradient.js';

/**
 * One member's dual-space map (D2UE, arXiv 2409.17485, Sec. 3.3; official test.py `evaluate_grad`):
 *
 *   AE, MemAE:  r = |x̂ − x|,   g = ∂ mean(r) / ∂x,                  map = r ⊙ g
 *   AE-U:       r = |μ − x|,   g = ∂ mean(e^{−s} (x − μ)²) / ∂x,     map = r ⊙ g
 *
 * The mean is over one image's pixels. The per-image gradients of the whole batch come from one backward pass
 * ({@link memberGradient}), so the map does not depend on the batch size or on the other images.
 *
 * Shapes: batch [B, H, W, 1] → map [B, H, W, 1]. Also returns e^{s} for AE-U, [B, H, W, 1].
 */
export function dualSpaceMap(member: Backbone, batch: tf.Tensor4D): { map: tf.Tensor4D; variance?: tf.Tensor4D } {
  return tf.tidy(() => {
    const { gradient, residual, variance } = memberGradient(member, batch);
    const map = tf.mul(residual, gradient) as tf.Tensor4D;
    return variance ? { map, variance } : { map };
  });
}
