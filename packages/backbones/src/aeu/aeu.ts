import * as tf from '@tensorflow/tfjs-core';
import { D2ueError, type ApplyOptions, type Backbone, type BackboneOutput } from '@d2ue/core';

import { AutoencoderNetwork, TAP_COUNT } from '../blocks/autoencoder.js';
import { exportStateDict, importStateDict } from '../blocks/state-dict.js';
import { tidyPass } from '../blocks/taps.js';
import type { AeUOptions } from './options.js';

/**
 * AE-U: the AE whose last transposed convolution emits two channels, the mean μ (channel 0) and the log-variance s
 * (channel 1), as the official models/aeu.py splits them with `chunk(2, 1)`.
 *
 * Loss (official trainer.py, AE-U branch): mean(e^{−s} (μ − x)²) + mean(s).
 *
 * Porting note: d2ue clamps s to `logVarianceClamp` (default [−10, 10]) before the loss and the scorers see it, so
 * e^{−s} and e^{s} never overflow float32. Where the network's s lies inside the bounds, outputs, loss and gradients
 * equal the official ones. Outside them the gradient with respect to s is 0, as for any clamp.
 * NOTE: the clamp bounds only s. The loss stays finite while |μ − x| stays below about 1e17 (float32 max / e^{10},
 * then squared). Inputs of ±1e6 with every weight ×2 give finite loss, gradients and scores (aeu.test.ts).
 */
export class AeU implements Backbone {
  readonly id = 'AE-U';
  readonly tapCount = TAP_COUNT;
  readonly imageSize: number;

  private readonly network: AutoencoderNetwork;

  constructor(
    private readonly options: AeUOptions,
    seed: string,
  ) {
    this.imageSize = options.imageSize;
    this.network = new AutoencoderNetwork({ ...options, outputChannels: 2 }, seed);
  }

  apply(x: tf.Tensor4D, { training, taps = [] }: ApplyOptions): BackboneOutput {
    const { outputs, features } = tidyPass(this.id, taps, () => {
      const pass = this.network.forward(x, training);
      const [mean, rawLogVariance] = tf.split(pass.output, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
      const [min, max] = this.options.logVarianceClamp;
      return { taps: pass.taps, outputs: [mean, tf.clipByValue(rawLogVariance, min, max)] };
    });
    return { reconstruction: outputs[0] as tf.Tensor4D, logVariance: outputs[1] as tf.Tensor4D, features };
  }

  /** mean(e^{−s} (μ − x)²) + mean(s), over every pixel and image. */
  loss(x: tf.Tensor4D, output: BackboneOutput): tf.Scalar {
    const { logVariance } = output;
    if (logVariance === undefined) {
      throw new D2ueError('shape', 'AE-U loss: the output has no logVariance; pass the output of AE-U.apply.', {
        subject: 'logVariance',
      });
    }

    return tf.tidy(() => {
      const weighted = tf.mean(tf.mul(tf.exp(tf.neg(logVariance)), tf.squaredDifference(output.reconstruction, x)));
      return tf.add(weighted, tf.mean(logVariance)) as tf.Scalar;
    });
  }

  trainableVariables(): tf.Variable[] {
    return this.network.trainableVariables();
  }

  stateDict(): Map<string, tf.Tensor> {
    return exportStateDict(this.network.namedLayers());
  }

  loadStateDict(weights: ReadonlyMap<string, tf.Tensor>): void {
    importStateDict(this.id, this.network.namedLayers(), weights);
  }

  getConfig(): AeUOptions {
    return { ...this.options, logVarianceClamp: [...this.options.logVarianceClamp] };
  }

  dispose(): void {
    this.network.dispose();
  }
}
