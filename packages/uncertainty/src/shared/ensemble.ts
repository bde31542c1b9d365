import * as tf from '@tensorflow/tfjs-core';
import { D2ueError, type Backbone } from '@d2ue/core';

/** The members' predictions for one batch, stacked on a new leading axis. */
export interface EnsemblePrediction {
  /** x̂_k (μ_k for AE-U), [K, B, H, W, 1]. */
  readonly reconstructions: tf.Tensor5D;

  /** mean_k e^{s_k}, [B, H, W, 1]; present when every member predicts a log-variance (AE-U). */
  readonly meanVariance?: tf.Tensor4D;
}

/** Runs every member in inference mode on `batch`; call inside a tidy. */
export function predict(members: readonly Backbone[], batch: tf.Tensor4D): EnsemblePrediction {
  const outputs = members.map((member) => member.apply(batch, { training: false }));
  const reconstructions = tf.stack(outputs.map((output) => output.reconstruction)) as tf.Tensor5D;

  const logVariances = outputs.map((output) => output.logVariance);
  if (logVariances.every((s): s is tf.Tensor4D => s !== undefined)) {
    const meanVariance = tf.mean(tf.exp(tf.stack(logVariances)), 0) as tf.Tensor4D;
    return { reconstructions, meanVariance };
  }
  return { reconstructions };
}

/** Unbiased standard deviation over axis 0 (PyTorch's `torch.std(dim=0)`), for K ≥ 2. */
export function unbiasedStd(stacked: tf.Tensor): tf.Tensor {
  // Divide by the largest magnitude over members first, so squaring cannot overflow float32 (AE-U dual-space maps
  // of extreme inputs reach 1e22, whose square is Inf); std(c·v) = c·std(v) restores the scale.
  const scale = tf.maximum(tf.max(tf.abs(stacked), 0), 1e-30);
  return tf.mul(tf.sqrt(unbiasedVariance(tf.div(stacked, scale))), scale);
}

/** Unbiased variance over axis 0 (PyTorch's `torch.var(dim=0)`), for K ≥ 2. */
export function unbiasedVariance(stacked: tf.Tensor): tf.Tensor {
  const count = stacked.shape[0]!;
  const { variance } = tf.moments(stacked, 0);
  return tf.mul(variance, count / (count - 1));
}

/** The image score: the mean of a pixel map [B, H, W, 1] over its pixels, [B]. */
export function imageScores(pixelMaps: tf.Tensor): tf.Tensor1D {
  return tf.mean(pixelMaps, [1, 2, 3]) as tf.Tensor1D;
}

/** Throws unless there are at least `minimum` members. */
export function requireMembers(scorer: string, members: readonly Backbone[], minimum: number): void {
  if (members.length < minimum) {
    throw new D2ueError(
      'config',
      `scorer "${scorer}" needs at least ${minimum} members, got ${members.length}; raise ensemble.size or drop the scorer.`,
      { subject: 'scorers' },
    );
  }
}
