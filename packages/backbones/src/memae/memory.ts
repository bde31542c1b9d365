import * as tf from '@tensorflow/tfjs-core';
import { assertShape } from '@d2ue/core';

import type { Layer } from '../blocks/layer.js';
import { assignFrom, pytorchUniform, takeWeight } from '../blocks/weights.js';

/** The result of one memory read. */
export interface MemoryRead {
  /** The addressing weights ŵ after shrinkage and L1 renormalisation, [B, N]. */
  readonly attention: tf.Tensor2D;

  /** The read-out ẑ = ŵ · M that replaces z, [B, C]. */
  readonly output: tf.Tensor2D;
}

// ε of the official hard_shrink_relu and of F.normalize (both 1e-12).
const SHRINK_EPSILON = 1e-12;
const NORMALIZE_EPSILON = 1e-12;

/**
 * Memory addressing of MemAE (official D2UE models/base_units/memory_module.py, `MemoryUnit.forward` and
 * `hard_shrink_relu`):
 *
 *   w  = softmax_i(z · mᵢ)                               [B, N]
 *   ŵᵢ = relu(wᵢ − λ) · wᵢ / (|wᵢ − λ| + 1e-12)          hard shrinkage, only when λ > 0
 *   ŵ  = ŵ / max(‖ŵ‖₁, 1e-12)                            F.normalize(p=1, dim=1), only when λ > 0
 *   ẑ  = ŵ · M                                           [B, C]
 *
 * Shapes: z [B, C] and memory M [N, C] give attention [B, N] and output [B, C]. λ = 0 leaves the softmax weights
 * unchanged. If λ exceeds every weight of a row, that row's ŵ and ẑ are 0 (finite, as in PyTorch).
 * Gradient: tfjs autodiff through these ops; relu and |·| have gradient 0 at 0, as in PyTorch.
 *
 * @example
 * const { attention, output } = tf.tidy(() => addressMemory(z, memory, 0.0025));
 */
export function addressMemory(z: tf.Tensor2D, memory: tf.Tensor2D, shrinkThreshold: number): MemoryRead {
  assertShape('MemAE memory', 'latent code z', z.shape, [-1, memory.shape[1]]);

  return tf.tidy(() => {
    let attention = tf.softmax(tf.matMul(z, memory, false, true)) as tf.Tensor2D;

    if (shrinkThreshold > 0) {
      const shifted = tf.sub(attention, shrinkThreshold);
      const shrunk = tf.div(tf.mul(tf.relu(shifted), attention), tf.add(tf.abs(shifted), SHRINK_EPSILON));
      const l1 = tf.maximum(tf.sum(tf.abs(shrunk), 1, true), NORMALIZE_EPSILON);
      attention = tf.div(shrunk, l1) as tf.Tensor2D;
    }

    return { attention, output: tf.matMul(attention, memory) as tf.Tensor2D };
  });
}

/** Arguments of {@link MemoryModule}. */
export interface MemoryModuleArgs {
  /** N, the number of slots. */
  readonly slots: number;

  /** C, the latent size. */
  readonly features: number;

  /** λ of the hard shrinkage; 0 turns it off. */
  readonly shrinkThreshold: number;
}

/**
 * The memory M [N, C] as a layer; PyTorch's `MemModule` whose parameter is `memory.weight` [N, C] (same layout
 * here). Initialised as the official `reset_parameters`: U(−1/√C, 1/√C).
 */
export class MemoryModule implements Layer {
  static readonly className = 'MemoryModule';

  readonly args: MemoryModuleArgs;
  readonly weight: tf.Variable;

  constructor(args: MemoryModuleArgs, seed: string) {
    this.args = { ...args };
    this.weight = pytorchUniform([args.slots, args.features], args.features, `${seed}/memory`, 'memory_weight');
  }

  /** Addresses the memory with z [B, C]; see {@link addressMemory}. */
  read(z: tf.Tensor2D): MemoryRead {
    return addressMemory(z, this.weight as tf.Tensor2D, this.args.shrinkThreshold);
  }

  /** Variables an optimizer updates. */
  trainableVariables(): tf.Variable[] {
    return [this.weight];
  }

  exportWeights(prefix: string, out: Map<string, tf.Tensor>): void {
    out.set(`${prefix}memory.weight`, tf.clone(this.weight));
  }

  importWeights(prefix: string, weights: ReadonlyMap<string, tf.Tensor>): void {
    const memory = takeWeight(weights, `${prefix}memory.weight`, [this.args.slots, this.args.features]);
    assignFrom(this.weight, () => tf.clone(memory));
  }

  getConfig(): MemoryModuleArgs {
    return { ...this.args };
  }

  /** Frees the memory slots. */
  dispose(): void {
    this.weight.dispose();
  }
}
