import type * as tf from '@tensorflow/tfjs-core';

/**
 * What every block of a d2ue network offers: its variables, its weights in PyTorch's names and layouts, and a
 * config that rebuilds it.
 */
export interface Layer {
  /** Variables an optimizer updates. */
  trainableVariables(): tf.Variable[];

  /** Adds this layer's weights, converted to PyTorch's layout, to `out` under `prefix` + PyTorch's names. */
  exportWeights(prefix: string, out: Map<string, tf.Tensor>): void;

  /** Reads the weights {@link Layer.exportWeights} writes; errors name the missing key or the shape mismatch. */
  importWeights(prefix: string, weights: ReadonlyMap<string, tf.Tensor>): void;

  /** The constructor arguments, so `new Layer(layer.getConfig(), ...)` rebuilds it. */
  getConfig(): object;

  /** Frees the layer's variables. */
  dispose(): void;
}
