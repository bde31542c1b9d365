import * as tf from '@tensorflow/tfjs-core';
import { assertShape, CKA_EPSILON } from '@d2ue/core';

/**
 * RBF-kernel centred kernel alignment (Kornblith et al., ICML 2019, Sec. 3; official D2UE models/losses.py,
 * `CudaCKA.rbf` and `kernel_CKA`).
 *
 *   D²_ab = ‖x_a − x_b‖²                      squared distances between the rows of X
 *   K_X   = exp(−D² / (2σ²))                  σ² = median of the non-zero D²_ab (a < b), or a fixed σ²
 *   K̃_X   = H K_X H,  H = I − 11ᵀ/B
 *   HSIC(X, Y) = Σ K̃_X ⊙ K̃_Y
 *   CKA(X, Y)  = HSIC(X, Y) / √(HSIC(X, X) · HSIC(Y, Y))
 *
 * Shapes: X [B, D₁], Y [B, D₂] with the same B ≥ 2; the result is a scalar in [0, 1]. With the median bandwidth,
 * chosen per input as the official code does, it is invariant to isotropic scaling and orthogonal transforms of
 * either input, because both only rescale or keep every D²_ab and the median scales with them.
 *
 * The median is the lower median (the element of rank ⌊(m − 1)/2⌋ of the m sorted values), as `torch.median`
 * returns it, and the gradient flows through the chosen entry as it does in PyTorch. D²_ab is read back to pick
 * that entry, which is one B×B read per call.
 */

/** The bandwidth of the RBF kernel: `median` (heuristic, per input) or a fixed σ. */
export type Bandwidth = 'median' | number;

/**
 * The floor of σ². When every row of X is the same, no distance is non-zero and the kernel is the all-ones
 * matrix, whose centred form is zero. The floor keeps the division finite, so the value is 0 and not NaN.
 */
export const BANDWIDTH_FLOOR = 1e-12;

/** Computes the squared Euclidean distances between the rows of `x`, [B, B], from its Gram matrix (clamped at 0). */
export function squaredDistances(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const gram = tf.matMul(x, x, false, true);

    // The norms come from the Gram diagonal itself, so two identical rows give exactly 0 (n_a + n_b − 2·G_ab
    // with equal terms) and do not count as a non-zero distance.
    const size = x.shape[0];
    const norms = tf.sum(tf.mul(gram, tf.eye(size)), 1);
    const distances = tf.sub(tf.add(tf.reshape(norms, [size, 1]), tf.reshape(norms, [1, size])), tf.mul(gram, 2));
    return tf.relu(distances) as tf.Tensor2D;
  });
}

/**
 * Computes σ² of the median heuristic for the squared distances `distances` (shape `[B, B]`): the lower median of the
 * non-zero entries above the diagonal, or {@link BANDWIDTH_FLOOR} when there are none.
 */
export function medianBandwidth(distances: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const size = distances.shape[0];
    const values = distances.dataSync();

    const candidates: number[] = [];
    for (let a = 0; a < size; a++) {
      for (let b = a + 1; b < size; b++) if (values[a * size + b]! > 0) candidates.push(a * size + b);
    }
    if (candidates.length === 0) return tf.scalar(BANDWIDTH_FLOOR);

    candidates.sort((p, q) => values[p]! - values[q]! || p - q);
    const chosen = candidates[(candidates.length - 1) >> 1]!;

    // A one-hot mask keeps the chosen entry on the gradient tape (tf.gather's gradient needs a kernel that the
    // wasm backend lacks).
    const mask = new Float32Array(size * size);
    mask[chosen] = 1;
    return tf.maximum(tf.sum(tf.mul(distances, tf.tensor2d(mask, [size, size]))), BANDWIDTH_FLOOR) as tf.Scalar;
  });
}

/** Computes the RBF kernel matrix exp(−D² / (2σ²)) of the rows of `x`, [B, B]. */
export function rbfGram(x: tf.Tensor2D, bandwidth: Bandwidth): tf.Tensor2D {
  return tf.tidy(() => {
    const distances = squaredDistances(x);
    const sigmaSquared = bandwidth === 'median' ? medianBandwidth(distances) : tf.scalar(bandwidth * bandwidth);
    return tf.exp(tf.div(tf.neg(distances), tf.mul(sigmaSquared, 2))) as tf.Tensor2D;
  });
}

/** Centres a [B, B] kernel matrix: H K H is K minus its row and column means plus its grand mean. */
export function centreKernel(kernel: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const rows = tf.mean(kernel, 1, true);
    const columns = tf.mean(kernel, 0, true);
    return tf.add(tf.sub(tf.sub(kernel, rows), columns), tf.mean(kernel)) as tf.Tensor2D;
  });
}

/** Computes the RBF-kernel CKA of X [B, D₁] and Y [B, D₂]. */
export function kernelCka(x: tf.Tensor2D, y: tf.Tensor2D, bandwidth: Bandwidth = 'median'): tf.Scalar {
  assertShape('kernelCka', 'X', x.shape, [-1, -1]);
  assertShape('kernelCka', 'Y', y.shape, [x.shape[0], -1]);

  return tf.tidy(() => {
    const kernelX = centreKernel(rbfGram(x, bandwidth));
    const kernelY = centreKernel(rbfGram(y, bandwidth));

    const cross = tf.sum(tf.mul(kernelX, kernelY));
    const selfProduct = tf.mul(tf.sum(tf.square(kernelX)), tf.sum(tf.square(kernelY)));

    // The same clamp as linearCka: constant features give 0 instead of 0/0.
    const norm = tf.sqrt(tf.maximum(selfProduct, CKA_EPSILON * CKA_EPSILON));
    return tf.div(cross, norm) as tf.Scalar;
  });
}
