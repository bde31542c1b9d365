import * as tf from '@tensorflow/tfjs-core';
import { assertShape } from '../errors.js';

/**
 * Linear centred kernel alignment (Kornblith et al., ICML 2019, Eq. 2-4; D2UE arXiv 2409.17485, Sec. 3.2, the RAR
 * term; official models/losses.py `linear_CKA`).
 *
 *   K_X = XXᵀ, K_Y = YYᵀ, H = I − 11ᵀ/B
 *   HSIC(X, Y) = Σ (H K_X H) ⊙ (H K_Y H)
 *   CKA(X, Y)  = HSIC(X, Y) / √(HSIC(X, X) · HSIC(Y, Y))
 *
 * H K_X H equals X̃X̃ᵀ for the column-centred X̃ = X − 1·mean(X), which is how it is computed here: one [B, B] Gram
 * matrix per input, so the cost is B²·D whatever the tap's width D.
 *
 * Shapes: X [B, D₁], Y [B, D₂] with the same B ≥ 2; the result is a scalar in [0, 1]. It is invariant to isotropic
 * scaling and to orthogonal transforms of either input.
 *
 * The kernel lives in core, not in @d2ue/repulsion, because both the `rar` repulsion term and the run diagnostic
 * (pairwise CKA between members) use it, and core depends on no plug-in package.
 */

/**
 * Below this, HSIC(X, X)·HSIC(Y, Y) counts as zero (constant features); the denominator is clamped to its root, as
 * the official code clamps √·√ to 1e-8, so the value stays finite and the gradient zero instead of NaN.
 */
export const CKA_EPSILON = 1e-8;

/** Column-centred Gram matrix X̃X̃ᵀ = H XXᵀ H, [B, B]. */
export function centredGram(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const centred = tf.sub(x, tf.mean(x, 0, true));
    return tf.matMul(centred, centred, false, true);
  });
}

/** HSIC of two centred Gram matrices: Σ K̃_X ⊙ K̃_Y (unnormalised; the normalisation cancels in CKA). */
export function hsic(gramX: tf.Tensor2D, gramY: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(gramX, gramY)));
}

/** Linear CKA of X [B, D₁] and Y [B, D₂]. */
export function linearCka(x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  assertShape('linearCka', 'X', x.shape, [-1, -1]);
  assertShape('linearCka', 'Y', y.shape, [x.shape[0], -1]);

  return tf.tidy(() => {
    const gramX = centredGram(x);
    const gramY = centredGram(y);
    const cross = hsic(gramX, gramY);
    const norm = tf.sqrt(tf.maximum(tf.mul(hsic(gramX, gramX), hsic(gramY, gramY)), CKA_EPSILON * CKA_EPSILON));
    return tf.div(cross, norm);
  });
}
