import * as tf from '@tensorflow/tfjs-core';
import { D2ueError, createRng, uniform, type ApplyOptions, type Backbone, type BackboneOutput, type Rng } from '@d2ue/core';

import type { TinyAeOptions } from './options.js';

/** One weight: its PyTorch name, its tfjs variable, and the permutation from the tfjs layout to PyTorch's. */
interface Weight {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly toTorch: number[] | undefined;
}

/**
 * tiny-ae: a small convolutional autoencoder, far cheaper than D2UE's AE (about 40 k parameters at 32×32).
 *
 *   encoder  conv 4×4 stride 2 (1 → c) · ReLU → conv 4×4 stride 2 (c → 2c) · ReLU → linear (→ latent) = z
 *   decoder  linear (→ 2c·(S/4)²) · ReLU → transposed conv (2c → c) · ReLU → transposed conv (c → 1) · tanh
 *
 * Feature taps: 0 and 1 the encoder blocks, 2 the latent code z, 3 the first decoder block. Loss: mean (x̂ − x)².
 * Initialisation as PyTorch's defaults (uniform ±1/√fan_in for weights and biases). Weights cross the boundary
 * with PyTorch's names and layouts (Conv2d OIHW, ConvTranspose2d IOHW, Linear [out, in]).
 *
 * Porting note: the linear layers flatten NHWC maps in (h, w, c) order, PyTorch's NCHW in (c, h, w) order, so a
 * PyTorch twin of this network would need its linear weights permuted to match.
 */
export class TinyAe implements Backbone {
  readonly id = 'tiny-ae';
  readonly tapCount = 4;
  readonly imageSize: number;

  private readonly weights: Weight[] = [];
  private readonly quarter: number;

  constructor(
    private readonly options: TinyAeOptions,
    seed: string,
  ) {
    const { imageSize, channels, latentSize } = options;
    this.imageSize = imageSize;
    this.quarter = imageSize / 4;
    const flat = 2 * channels * this.quarter ** 2;
    const rng = createRng(seed);

    // tfjs layouts: conv [k, k, in, out]; transposed conv [k, k, out, in]; linear [in, out].
    this.add(rng, 'encoder.0.weight', [4, 4, 1, channels], 16, [3, 2, 0, 1]);
    this.add(rng, 'encoder.0.bias', [channels], 16);
    this.add(rng, 'encoder.2.weight', [4, 4, channels, 2 * channels], 16 * channels, [3, 2, 0, 1]);
    this.add(rng, 'encoder.2.bias', [2 * channels], 16 * channels);
    this.add(rng, 'to_latent.weight', [flat, latentSize], flat, [1, 0]);
    this.add(rng, 'to_latent.bias', [latentSize], flat);
    this.add(rng, 'from_latent.weight', [latentSize, flat], latentSize, [1, 0]);
    this.add(rng, 'from_latent.bias', [flat], latentSize);
    // PyTorch's fan_in of a transposed conv is out_channels × k².
    this.add(rng, 'decoder.0.weight', [4, 4, channels, 2 * channels], 16 * channels, [3, 2, 0, 1]);
    this.add(rng, 'decoder.0.bias', [channels], 16 * channels);
    this.add(rng, 'decoder.2.weight', [4, 4, 1, channels], 16, [3, 2, 0, 1]);
    this.add(rng, 'decoder.2.bias', [1], 16);
  }

  private add(rng: Rng, name: string, shape: number[], fanIn: number, toTorch?: number[]): void {
    const bound = 1 / Math.sqrt(fanIn);
    const initial = tf.tensor(uniform(shape.reduce((a, b) => a * b, 1), -bound, bound, rng), shape);
    this.weights.push({ name, variable: tf.variable(initial, true, undefined, 'float32'), toTorch });
    initial.dispose();
  }

  private get(name: string): tf.Variable {
    return this.weights.find((weight) => weight.name === name)!.variable;
  }

  apply(x: tf.Tensor4D, { taps = [] }: ApplyOptions): BackboneOutput {
    const batch = x.shape[0];
    const { channels } = this.options;
    const half = this.imageSize / 2;

    // One tidy per call: only the reconstruction and the requested taps reach the caller.
    const [reconstruction, ...tapped] = tf.tidy(() => {
      const conv = (input: tf.Tensor4D, name: string): tf.Tensor4D =>
        tf.relu(tf.add(tf.conv2d(input, this.get(`${name}.weight`) as tf.Tensor4D, 2, 'same'), this.get(`${name}.bias`)));
      const linear = (input: tf.Tensor2D, name: string): tf.Tensor2D => tf.add(tf.matMul(input, this.get(`${name}.weight`) as tf.Tensor2D), this.get(`${name}.bias`));
      const deconv = (input: tf.Tensor4D, name: string, side: number, out: number): tf.Tensor4D =>
        tf.add(tf.conv2dTranspose(input, this.get(`${name}.weight`) as tf.Tensor4D, [batch, side, side, out], 2, 'same'), this.get(`${name}.bias`));

      const e0 = conv(x, 'encoder.0');
      const e1 = conv(e0, 'encoder.2');
      const z = linear(tf.reshape(e1, [batch, -1]), 'to_latent');
      const d0 = tf.reshape(tf.relu(linear(z, 'from_latent')), [batch, this.quarter, this.quarter, 2 * channels]) as tf.Tensor4D;
      const d1 = tf.relu(deconv(d0, 'decoder.0', half, channels));
      const out = tf.tanh(deconv(d1, 'decoder.2', this.imageSize, 1));

      const all = [e0, e1, z, d1];
      return [out, ...taps.map((tap) => tf.reshape(all[tap]!, [batch, -1]))];
    });

    return { reconstruction: reconstruction as tf.Tensor4D, features: new Map(taps.map((tap, i) => [tap, tapped[i] as tf.Tensor2D])) };
  }

  loss(x: tf.Tensor4D, output: BackboneOutput): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.squaredDifference(output.reconstruction, x)));
  }

  trainableVariables(): tf.Variable[] {
    return this.weights.map((weight) => weight.variable);
  }

  stateDict(): Map<string, tf.Tensor> {
    return new Map(this.weights.map(({ name, variable, toTorch }) => [name, toTorch ? tf.transpose(variable, toTorch) : variable.clone()]));
  }

  loadStateDict(weights: ReadonlyMap<string, tf.Tensor>): void {
    const unexpected = [...weights.keys()].filter((key) => !this.weights.some((weight) => weight.name === key));
    if (unexpected.length > 0) {
      throw new D2ueError('shape', `tiny-ae: the weights contain "${unexpected[0]}", which tiny-ae does not have; check the backbone name of the run that wrote them.`, {
        subject: unexpected[0],
      });
    }

    // Check every weight before assigning any, so a bad file leaves the network as it was.
    const torchShape = ({ variable, toTorch }: Weight): number[] => (toTorch ? toTorch.map((axis) => variable.shape[axis]!) : [...variable.shape]);
    for (const weight of this.weights) {
      const tensor = weights.get(weight.name);
      const expected = torchShape(weight);
      if (tensor === undefined || JSON.stringify(tensor.shape) !== JSON.stringify(expected) || tensor.dtype !== 'float32') {
        const found = tensor === undefined ? 'is missing' : `is ${tensor.dtype} ${JSON.stringify(tensor.shape)}`;
        throw new D2ueError('shape', `tiny-ae: weight "${weight.name}" ${found}, expected float32 ${JSON.stringify(expected)}; check channels, latentSize and imageSize against the run that wrote it.`, {
          subject: weight.name,
        });
      }
    }

    for (const { name, variable, toTorch } of this.weights) {
      const tensor = weights.get(name)!;
      const value = toTorch ? tf.transpose(tensor, inverse(toTorch)) : tensor.clone();
      variable.assign(value);
      value.dispose();
    }
  }

  getConfig(): TinyAeOptions {
    return { ...this.options };
  }

  dispose(): void {
    for (const { variable } of this.weights) variable.dispose();
  }
}

/** Inverts a permutation of axes. */
function inverse(permutation: readonly number[]): number[] {
  const out: number[] = [];
  permutation.forEach((axis, i) => (out[axis] = i));
  return out;
}
