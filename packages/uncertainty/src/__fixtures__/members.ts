import * as tf from '@tensorflow/tfjs-core';
import { Ae, AeOptionsSchema } from '@d2ue/backbones';
import type { ApplyOptions, Backbone, BackboneOutput } from '@d2ue/core';

/** Tiny random-weight AE learners (image 16, width 0.25, bottleneck 32), one per seed. */
export function tinyMembers(seeds: readonly string[], imageSize = 16): Ae[] {
  const options = AeOptionsSchema.parse({ imageSize, widthMultiplier: 0.25, bottleneckWidth: 32 });
  return seeds.map((seed) => new Ae(options, seed));
}

/**
 * An AE-U stand-in: an AE whose log-variance is a fixed smooth function of its reconstruction,
 * s = 0.4 · x̂ − 0.3, so the AE-U branches of the scorers can be checked before an AE-U backbone exists.
 */
export function withLogVariance(member: Backbone): Backbone {
  return {
    ...member,
    id: 'AE-U-test',
    imageSize: member.imageSize,
    tapCount: member.tapCount,
    apply: (x: tf.Tensor4D, options: ApplyOptions): BackboneOutput => {
      const output = member.apply(x, options);
      return { ...output, logVariance: tf.sub(tf.mul(output.reconstruction, 0.4), 0.3) as tf.Tensor4D };
    },
  };
}

/** `count` seeded uniform images in [-1, 1], [count, size, size, 1]. */
export function randomImages(count: number, size = 16, seed = 3): tf.Tensor4D {
  return tf.randomUniform([count, size, size, 1], -1, 1, 'float32', seed) as tf.Tensor4D;
}

/** Unbiased standard deviation of numbers. */
export function sampleStd(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1));
}
