import * as tf from '@tensorflow/tfjs-core';
import { assertShape } from '@d2ue/core';

import type { Layer } from './layer.js';
import { assignFrom, pytorchUniform, takeWeight } from './weights.js';

/** Arguments of {@link Conv2d}; PyTorch's `nn.Conv2d(in, out, kernel, stride, padding, bias=False)`. */
export interface Conv2dArgs {
  readonly inChannels: number;
  readonly outChannels: number;

  /** Square kernel side; the D2UE blocks use 4. */
  readonly kernelSize: number;

  /** Default 1. */
  readonly stride?: number;

  /** Zero padding on every side; default 0. */
  readonly padding?: number;
}

/**
 * A 2-D convolution without bias, NHWC. The filter is stored as HWIO [k, k, in, out]; PyTorch's OIHW weight maps
 * to it by permute(2, 3, 1, 0).
 */
export class Conv2d implements Layer {
  static readonly className = 'Conv2d';

  readonly args: Required<Conv2dArgs>;
  readonly filter: tf.Variable;

  constructor(args: Conv2dArgs, seed: string) {
    this.args = { stride: 1, padding: 0, ...args };
    const { inChannels, outChannels, kernelSize } = this.args;
    this.filter = pytorchUniform(
      [kernelSize, kernelSize, inChannels, outChannels],
      inChannels * kernelSize * kernelSize,
      seed,
      'conv2d_filter',
    );
  }

  /** Runs the layer on `x`; the caller disposes the result (call it inside `tf.tidy`). */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    assertShape(Conv2d.className, 'input', x.shape, [-1, -1, -1, this.args.inChannels]);
    return tf.conv2d(x, this.filter as tf.Tensor4D, this.args.stride, this.args.padding);
  }

  /** Variables an optimizer updates. */
  trainableVariables(): tf.Variable[] {
    return [this.filter];
  }

  exportWeights(prefix: string, out: Map<string, tf.Tensor>): void {
    out.set(`${prefix}weight`, tf.transpose(this.filter, [3, 2, 0, 1]));
  }

  importWeights(prefix: string, weights: ReadonlyMap<string, tf.Tensor>): void {
    const { inChannels, outChannels, kernelSize } = this.args;
    const torch = takeWeight(weights, `${prefix}weight`, [outChannels, inChannels, kernelSize, kernelSize]);
    assignFrom(this.filter, () => tf.transpose(torch, [2, 3, 1, 0]));
  }

  getConfig(): Required<Conv2dArgs> {
    return { ...this.args };
  }

  /** Frees the layer's variables. */
  dispose(): void {
    this.filter.dispose();
  }
}
