import * as tf from '@tensorflow/tfjs-core';
import { assertShape } from '@d2ue/core';

import type { Layer } from './layer.js';
import { assignFrom, pytorchUniform, takeWeight } from './weights.js';

/** Arguments of {@link ConvTranspose2d}; PyTorch's `nn.ConvTranspose2d(in, out, kernel, stride, padding, bias=False)`. */
export interface ConvTranspose2dArgs {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;

  /** Default 1. */
  readonly stride?: number;

  /** PyTorch's `padding`: rows and columns cropped from every side of the full output; default 0. */
  readonly padding?: number;
}

/**
 * A 2-D transposed convolution without bias, NHWC; output side (in − 1)·stride − 2·padding + kernel, as PyTorch.
 * The filter is stored as tfjs wants it, [k, k, out, in]; PyTorch's IOHW weight maps to it by permute(2, 3, 1, 0).
 */
export class ConvTranspose2d implements Layer {
  static readonly className = 'ConvTranspose2d';

  readonly args: Required<ConvTranspose2dArgs>;
  readonly filter: tf.Variable;

  constructor(args: ConvTranspose2dArgs, seed: string) {
    this.args = { stride: 1, padding: 0, ...args };
    const { inChannels, outChannels, kernelSize } = this.args;

    // PyTorch's fan_in for a transposed conv is weight.size(1) × k² = out_channels × k².
    this.filter = pytorchUniform(
      [kernelSize, kernelSize, outChannels, inChannels],
      outChannels * kernelSize * kernelSize,
      seed,
      'conv_transpose2d_filter',
    );
  }

  /** Runs the layer on `x`; the caller disposes the result (call it inside `tf.tidy`). */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    assertShape(ConvTranspose2d.className, 'input', x.shape, [-1, -1, -1, this.args.inChannels]);
    const { stride, padding, kernelSize, outChannels } = this.args;
    const [batch, height, width] = x.shape;
    const outHeight = (height - 1) * stride - 2 * padding + kernelSize;
    const outWidth = (width - 1) * stride - 2 * padding + kernelSize;
    return tf.conv2dTranspose(x, this.filter as tf.Tensor4D, [batch, outHeight, outWidth, outChannels], stride, padding);
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
    const torch = takeWeight(weights, `${prefix}weight`, [inChannels, outChannels, kernelSize, kernelSize]);
    assignFrom(this.filter, () => tf.transpose(torch, [2, 3, 1, 0]));
  }

  getConfig(): Required<ConvTranspose2dArgs> {
    return { ...this.args };
  }

  /** Frees the layer's variables. */
  dispose(): void {
    this.filter.dispose();
  }
}
