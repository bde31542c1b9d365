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

/**
 * Runs one forward pass inside a single tidy and keeps only its outputs and the requested taps (flattened), so a
 * backbone's `apply` frees every intermediate activation. `pass` returns the network's taps and the outputs the
 * backbone hands to its caller.
 */
export function tidyPass<Outputs extends tf.Tensor[]>(
  backbone: string,
  requested: readonly number[],
  pass: () => { readonly taps: readonly tf.Tensor[]; readonly outputs: Outputs },
): { outputs: Outputs; features: Map<number, tf.Tensor2D> } {
  let tapIds: number[] = [];
  let outputCount = 0;
  const results = tf.tidy(() => {
    const { taps, outputs } = pass();
    const features = flattenTaps(taps, requested, backbone);
    tapIds = [...features.keys()];
    outputCount = outputs.length;
    return [...outputs, ...features.values()];
  });

  const features = new Map(tapIds.map((tap, i) => [tap, results[outputCount + i] as tf.Tensor2D]));
  return { outputs: results.slice(0, outputCount) as Outputs, features };
}
