import type * as tf from '@tensorflow/tfjs-core';
import { D2ueError } from '@d2ue/core';

import type { Layer } from './layer.js';

/** Collects the weights of `layers` (prefix, layer) into one PyTorch-style state dict; the caller disposes it. */
export function exportStateDict(layers: ReadonlyArray<readonly [string, Layer]>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [prefix, layer] of layers) layer.exportWeights(prefix, out);
  return out;
}

/**
 * Loads a state dict into `layers`, strict like PyTorch's `load_state_dict(strict=True)`: a missing key or a
 * wrong shape fails in the layer that reads it, and a key no layer reads fails here, so a MemAE checkpoint is not
 * silently taken for an AE one. `num_batches_tracked` may be missing, as PyTorch allows.
 *
 * @throws D2ueError (`shape`) naming the first unexpected keys.
 */
export function importStateDict(backbone: string, layers: ReadonlyArray<readonly [string, Layer]>, weights: ReadonlyMap<string, tf.Tensor>): void {
  const own = exportStateDict(layers);
  const unexpected = [...weights.keys()].filter((key) => !own.has(key));
  for (const tensor of own.values()) tensor.dispose();

  if (unexpected.length > 0) {
    const shown = unexpected.slice(0, 5).map((key) => `"${key}"`).join(', ');
    const more = unexpected.length > 5 ? ` and ${unexpected.length - 5} more` : '';
    throw new D2ueError(
      'shape',
      `Weights contain ${shown}${more}, which ${backbone} does not have; the checkpoint was written by another backbone ` +
        'or by different options, so check the backbone name against the run that wrote it.',
      { subject: unexpected[0] },
    );
  }

  for (const [prefix, layer] of layers) layer.importWeights(prefix, weights);
}
