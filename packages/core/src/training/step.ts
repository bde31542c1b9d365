import * as tf from '@tensorflow/tfjs-core';

import type { Backbone } from '../contracts/backbone.js';
import type { RepulsionLoss, RepulsionView } from '../contracts/repulsion.js';

/** The losses of one training step, read back from the device. */
export interface StepLosses {
  /** L_i = backbone loss + λ · repulsion. */
  readonly total: number;
  readonly backbone: number;
  readonly repulsion: number;
}

/** Everything one step of junior i needs. */
export interface StepInputs {
  readonly junior: Backbone;
  readonly seniors: readonly Backbone[];
  readonly batch: tf.Tensor4D;
  readonly repulsion: RepulsionLoss;

  /** λ. */
  readonly weight: number;

  /** The feature tap the repulsion term reads. */
  readonly tap: number;
  readonly optimizer: tf.Optimizer;
}

/**
 * One optimisation step of the junior (D2UE, Sec. 3.2):
 *
 *   L_i = L_backbone(x) + λ · mean_{j<i} R(F_i(x), F_j(x))
 *
 * Seniors run in inference mode outside the gradient tape, so they stay frozen and their features enter R as
 * constants. Only the junior's trainable variables are updated.
 *
 * Porting note: the official trainer.py adds the RAR term without λ for the AE; here λ applies to every backbone.
 */
export function trainingStep({ junior, seniors, batch, repulsion, weight, tap, optimizer }: StepInputs): StepLosses {
  return tf.tidy(() => {
    const seniorViews: RepulsionView[] = seniors.map((senior) => {
      const output = senior.apply(batch, { training: false, taps: [tap] });
      return { output, features: output.features.get(tap)! };
    });

    let backboneLoss: tf.Scalar | undefined;
    let repulsionLoss: tf.Scalar | undefined;
    const total = optimizer.minimize(
      () => {
        const output = junior.apply(batch, { training: true, taps: [tap] });
        const base = junior.loss(batch, output);
        const term = repulsion.compute({
          input: batch,
          junior: { output, features: output.features.get(tap)! },
          seniors: seniorViews,
        });
        backboneLoss = tf.keep(base);
        repulsionLoss = tf.keep(term);
        return tf.add(base, tf.mul(term, weight)) as tf.Scalar;
      },
      true,
      junior.trainableVariables(),
    )!;

    const losses = {
      total: total.dataSync()[0]!,
      backbone: backboneLoss!.dataSync()[0]!,
      repulsion: repulsionLoss!.dataSync()[0]!,
    };
    tf.dispose([backboneLoss!, repulsionLoss!]);
    return losses;
  });
}
