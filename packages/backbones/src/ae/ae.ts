import * as tf from '@tensorflow/tfjs-core';
import type { ApplyOptions, Backbone, BackboneOutput } from '@d2ue/core';

import { AutoencoderNetwork, TAP_COUNT } from '../blocks/autoencoder.js';
import { exportStateDict, importStateDict } from '../blocks/state-dict.js';
import { tidyPass } from '../blocks/taps.js';
import type { AeOptions } from './options.js';

/**
 * AE: the plain convolutional autoencoder of D2UE (arXiv 2409.17485, Sec. 3; official models/ae.py).
 * Loss: mean over pixels and batch of (x̂ − x)².
 */
export class Ae implements Backbone {
  readonly id = 'AE';
  readonly tapCount = TAP_COUNT;
  readonly imageSize: number;

  private readonly network: AutoencoderNetwork;

  constructor(
    private readonly options: AeOptions,
    seed: string,
  ) {
    this.imageSize = options.imageSize;
    this.network = new AutoencoderNetwork({ ...options, outputChannels: 1 }, seed);
  }

  apply(x: tf.Tensor4D, { training, taps = [] }: ApplyOptions): BackboneOutput {
    const { outputs, features } = tidyPass(this.id, taps, () => {
      const pass = this.network.forward(x, training);
      return { taps: pass.taps, outputs: [pass.output] };
    });
    return { reconstruction: outputs[0] as tf.Tensor4D, features };
  }

  loss(x: tf.Tensor4D, output: BackboneOutput): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.squaredDifference(output.reconstruction, x)));
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

  getConfig(): AeOptions {
    return { ...this.options };
  }

  dispose(): void {
    this.network.dispose();
  }
}
