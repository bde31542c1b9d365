import * as tf from '@tensorflow/tfjs-core';
import { D2ueError } from '@d2ue/core';

/**
 * Picks the requested feature taps and flattens each to [B, D].
 *
 * Porting note: an NHWC map flattens in (h, w, c) order where PyTorch's NCHW flattens in (c, h, w) order. The
 * two differ by a fixed permutation of columns, which changes no Gram matrix, so CKA and every repulsion term
 * defined on XXᵀ give the same value as the reference.
 */
export function flattenTaps(taps: readonly tf.Tensor[], wanted: readonly number[], backbone: string): Map<number, tf.Tensor2D> {
  const features = new Map<number, tf.Tensor2D>();
  for (const tap of wanted) {
    const tensor = taps[tap];
    if (tensor === undefined) {
      throw new D2ueError(
        'config',
        `repulsion.tap: ${backbone} has feature taps 0..${taps.length - 1} (0-3 encoder blocks, 4 z, 5 bottleneck output, 6-8 decoder blocks), got ${tap}.`,
        { subject: 'repulsion.tap' },
      );
    }
    features.set(tap, tensor.rank === 2 ? (tensor as tf.Tensor2D) : tf.reshape(tensor, [tensor.shape[0]!, -1]));
  }
  return features;
}
