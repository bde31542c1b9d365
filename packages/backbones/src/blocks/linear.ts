import * as tf from '@tensorflow/tfjs-core';
import { assertShape } from '@d2ue/core';

import type { Layer } from './layer.js';
import { assignFrom, pytorchUniform, takeWeight } from './weights.js';

/** A feature map flattened into a vector: [size, size, channels] here (NHWC), [channels, size, size] in PyTorch. */
export interface FlatMap {
  readonly channels: number;
  readonly size: number;
}

/** Arguments of {@link Linear}; PyTorch's `nn.Linear(in, out)` with bias. */
export interface LinearArgs {
  readonly inFeatures: number;
  readonly outFeatures: number;

  /** Set when the input is a flattened feature map, so weights convert between NHWC and NCHW flatten orders. */
  readonly inputMap?: FlatMap;

  /** Set when the output is reshaped into a feature map. */
  readonly outputMap?: FlatMap;
}

/**
 * y = x·W + b with W stored as [in, out] (PyTorch stores [out, in]).
 *
 * Porting note: the AE bottleneck flattens an NHWC map, PyTorch an NCHW one, so the first bottleneck Linear's
 * input rows and the last one's output columns are permuted when weights cross to or from PyTorch.
 */
export class Linear implements Layer {
  static readonly className = 'Linear';

  readonly args: LinearArgs;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(args: LinearArgs, seed: string) {
    this.args = { ...args };
    this.weight = pytorchUniform([args.inFeatures, args.outFeatures], args.inFeatures, `${seed}/weight`, 'linear_weight');
    this.bias = pytorchUniform([args.outFeatures], args.inFeatures, `${seed}/bias`, 'linear_bias');
  }

  /** Runs the layer on `x`; the caller disposes the result (call it inside `tf.tidy`). */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    assertShape(Linear.className, 'input', x.shape, [-1, this.args.inFeatures]);
    return tf.add(tf.matMul(x, this.weight as tf.Tensor2D), this.bias);
  }

  /** Variables an optimizer updates. */
  trainableVariables(): tf.Variable[] {
    return [this.weight, this.bias];
  }

  exportWeights(prefix: string, out: Map<string, tf.Tensor>): void {
    const { inputMap, outputMap, inFeatures, outFeatures } = this.args;
    out.set(
      `${prefix}weight`,
      tf.tidy(() => {
        let w: tf.Tensor = this.weight;
        if (inputMap) w = tf.reshape(tf.transpose(tf.reshape(w, [inputMap.size, inputMap.size, inputMap.channels, outFeatures]), [2, 0, 1, 3]), [inFeatures, outFeatures]);
        if (outputMap) w = tf.reshape(tf.transpose(tf.reshape(w, [inFeatures, outputMap.size, outputMap.size, outputMap.channels]), [0, 3, 1, 2]), [inFeatures, outFeatures]);
        return tf.transpose(w);
      }),
    );
    out.set(`${prefix}bias`, outputMap ? tf.tidy(() => mapToTorchOrder(this.bias, outputMap)) : tf.clone(this.bias));
  }

  importWeights(prefix: string, weights: ReadonlyMap<string, tf.Tensor>): void {
    const { inputMap, outputMap, inFeatures, outFeatures } = this.args;
    const torchWeight = takeWeight(weights, `${prefix}weight`, [outFeatures, inFeatures]);
    const torchBias = takeWeight(weights, `${prefix}bias`, [outFeatures]);
    assignFrom(this.weight, () => {
        let w: tf.Tensor = tf.transpose(torchWeight);
        if (inputMap) w = tf.reshape(tf.transpose(tf.reshape(w, [inputMap.channels, inputMap.size, inputMap.size, outFeatures]), [1, 2, 0, 3]), [inFeatures, outFeatures]);
        if (outputMap) w = tf.reshape(tf.transpose(tf.reshape(w, [inFeatures, outputMap.channels, outputMap.size, outputMap.size]), [0, 2, 3, 1]), [inFeatures, outFeatures]);
        return w;
    });
    assignFrom(this.bias, () => (outputMap ? mapFromTorchOrder(torchBias, outputMap) : tf.clone(torchBias)));
  }

  getConfig(): LinearArgs {
    return { ...this.args };
  }

  /** Frees the layer's variables. */
  dispose(): void {
    this.weight.dispose();
    this.bias.dispose();
  }
}

/** Reorders a vector from HWC to CHW flatten order. */
function mapToTorchOrder(vector: tf.Tensor, map: FlatMap): tf.Tensor {
  return tf.reshape(tf.transpose(tf.reshape(vector, [map.size, map.size, map.channels]), [2, 0, 1]), [-1]);
}

/** Reorders a vector from CHW to HWC flatten order. */
function mapFromTorchOrder(vector: tf.Tensor, map: FlatMap): tf.Tensor {
  return tf.reshape(tf.transpose(tf.reshape(vector, [map.channels, map.size, map.size]), [1, 2, 0]), [-1]);
}
