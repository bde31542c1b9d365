import * as tf from '@tensorflow/tfjs-core';
import type { ApplyOptions, Backbone, BackboneOutput } from '@d2ue/core';

import { AutoencoderNetwork, TAP_COUNT } from '../blocks/autoencoder.js';
import { exportStateDict, importStateDict } from '../blocks/state-dict.js';
import { flattenTaps } from '../blocks/taps.js';
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
    // One tidy per call: the intermediate activations are freed, only the outputs reach the caller.
    let tapIds: number[] = [];
    const [reconstruction, ...tapped] = tf.tidy(() => {
      const pass = this.network.forward(x, training);
      const features = flattenTaps(pass.taps, taps, this.id);
      tapIds = [...features.keys()];
      return [pass.output, ...features.values()];
    });
    return { reconstruction: reconstruction as tf.Tensor4D, features: new Map(tapIds.map((tap, i) => [tap, tapped[i] as tf.Tensor2D])) };
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
