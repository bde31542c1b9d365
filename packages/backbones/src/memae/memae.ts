import * as tf from '@tensorflow/tfjs-core';
import { D2ueError, type ApplyOptions, type Backbone, type BackboneOutput } from '@d2ue/core';

import { AutoencoderNetwork, TAP_COUNT } from '../blocks/autoencoder.js';
import type { Layer } from '../blocks/layer.js';
import { exportStateDict, importStateDict } from '../blocks/state-dict.js';
import { tidyPass } from '../blocks/taps.js';
import { addressingEntropy } from './entropy.js';
import { MemoryModule } from './memory.js';
import type { MemAeOptions } from './options.js';

/**
 * MemAE: the AE with a memory of `memorySize` slots on the latent code (official models/mem_ae.py and
 * `MemBottleNeck` in models/base_units/blocks.py). The encoder's z addresses the memory (see `addressMemory`), and
 * the decoder reads the memory's output ẑ instead of z.
 *
 * Loss (official trainer.py `MemAE_trainer`): mean (x̂ − x)² + entropyWeight · mean addressing entropy.
 * Feature tap 4 is z before addressing, as the official `features` list; `attention` [B, N] is part of the output.
 */
export class MemAe implements Backbone {
  readonly id = 'MemAE';
  readonly tapCount = TAP_COUNT;
  readonly imageSize: number;

  private readonly network: AutoencoderNetwork;
  private readonly memory: MemoryModule;

  constructor(
    private readonly options: MemAeOptions,
    seed: string,
  ) {
    this.imageSize = options.imageSize;
    this.network = new AutoencoderNetwork({ ...options, outputChannels: 1 }, seed);
    this.memory = new MemoryModule(
      { slots: options.memorySize, features: options.latentSize, shrinkThreshold: options.shrinkThreshold },
      `${seed}/memory`,
    );
  }

  apply(x: tf.Tensor4D, { training, taps = [] }: ApplyOptions): BackboneOutput {
    const { outputs, features } = tidyPass(this.id, taps, () => {
      let attention: tf.Tensor2D | undefined;
      const pass = this.network.forward(x, training, (z) => {
        const memory = this.memory.read(z);
        attention = memory.attention;
        return memory.output;
      });
      return { taps: pass.taps, outputs: [pass.output, attention!] };
    });
    return { reconstruction: outputs[0] as tf.Tensor4D, features, attention: outputs[1] as tf.Tensor2D };
  }

  loss(x: tf.Tensor4D, output: BackboneOutput): tf.Scalar {
    const { attention } = output;
    if (attention === undefined) {
      throw new D2ueError('shape', 'MemAE loss: the output has no attention weights; pass the output of MemAE.apply.', {
        subject: 'attention',
      });
    }

    return tf.tidy(() => {
      const reconstruction = tf.mean(tf.squaredDifference(output.reconstruction, x));
      return tf.add(reconstruction, tf.mul(addressingEntropy(attention), this.options.entropyWeight)) as tf.Scalar;
    });
  }

  trainableVariables(): tf.Variable[] {
    return [...this.network.trainableVariables(), ...this.memory.trainableVariables()];
  }

  stateDict(): Map<string, tf.Tensor> {
    return exportStateDict(this.namedLayers());
  }

  loadStateDict(weights: ReadonlyMap<string, tf.Tensor>): void {
    importStateDict(this.id, this.namedLayers(), weights);
  }

  getConfig(): MemAeOptions {
    return { ...this.options };
  }

  dispose(): void {
    this.network.dispose();
    this.memory.dispose();
  }

  /** The autoencoder's layers plus the memory under the official name `bottle_neck.memory_module.memory.weight`. */
  private namedLayers(): Array<[string, Layer]> {
    return [...this.network.namedLayers(), ['bottle_neck.memory_module.', this.memory]];
  }
}
