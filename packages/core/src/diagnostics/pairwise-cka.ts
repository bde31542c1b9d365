import * as tf from '@tensorflow/tfjs-core';

import type { Backbone } from '../contracts/backbone.js';
import type { ImageSet } from '../contracts/dataset.js';
import { D2ueError, describeValue } from '../errors.js';
import { batchRanges, gatherBatch } from '../training/batches.js';
import { CKA_EPSILON, centredGram, hsic } from './linear-cka.js';

/** Images per inference batch when collecting features; the CKA values do not depend on it. */
export const DEFAULT_CKA_BATCH_SIZE = 32;

/**
 * Computes the K×K matrix of linear CKA between the members' features at `tap` over all of `images`.
 *
 * Members run in inference mode (BatchNorm on running statistics), batch by batch. The features of every image
 * are collected first and CKA is computed once on the whole set, so the value is the CKA of the set and not a
 * mean of per-batch values (which would depend on the batch size). Entry [a][b] is CKA(F_a, F_b). The diagonal
 * is 1 unless a member's features are constant over the set, in which case its row is 0.
 *
 * @example
 * const matrix = pairwiseCka(members, data.test, 4); // matrix[0][1]: CKA between members 0 and 1 at z
 * @throws D2ueError (config) when `tap` is not a tap of every member or `batchSize` is not a positive integer.
 * @throws D2ueError (data) when `images` contains fewer than 2 images (CKA centres over images).
 */
export function pairwiseCka(
  members: readonly Backbone[],
  images: ImageSet,
  tap: number,
  batchSize: number = DEFAULT_CKA_BATCH_SIZE,
): number[][] {
  const indices = Int32Array.from(images.ids, (_, i) => i);
  return pairwiseCkaOf(members, images, indices, tap, batchSize);
}

/** {@link pairwiseCka} over the images of `images` at `indices` only. */
export function pairwiseCkaOf(
  members: readonly Backbone[],
  images: ImageSet,
  indices: Int32Array,
  tap: number,
  batchSize: number = DEFAULT_CKA_BATCH_SIZE,
): number[][] {
  validate(members, indices.length, tap, batchSize);

  const features = members.map((member) => collectFeatures(member, images, indices, tap, batchSize));

  return tf.tidy(() => {
    const tensors = features.map(({ values, width }) => tf.tensor2d(values, [indices.length, width]));
    return ckaMatrix(tensors);
  });
}

/** Collects the features of `member` at `tap` for the images at `indices`, row after row ([N, D] row-major). */
function collectFeatures(
  member: Backbone,
  images: ImageSet,
  indices: Int32Array,
  tap: number,
  batchSize: number,
): { values: Float32Array; width: number } {
  let values: Float32Array | undefined;
  let width = 0;

  for (const [start, end] of batchRanges(indices.length, batchSize)) {
    tf.tidy(() => {
      const batch = gatherBatch(images, indices.subarray(start, end));
      const output = member.apply(batch, { training: false, taps: [tap] });
      const batchFeatures = output.features.get(tap)!;

      // The tap's width is known only after the first batch has run.
      if (values === undefined) {
        width = batchFeatures.shape[1];
        values = new Float32Array(indices.length * width);
      }
      values.set(batchFeatures.dataSync(), start * width);

      // tidy frees tensors created here, and the outputs are; disposing them explicitly keeps that true for
      // backbones that return kept or reused tensors.
      tf.dispose([batch, output.reconstruction, output.logVariance, output.attention, ...output.features.values()]);
    });
  }
  return { values: values!, width };
}

/**
 * Pairwise linear CKA of the [N, D_k] feature matrices. HSIC(X, Y) = Σ (X̃X̃ᵀ) ⊙ (ỸỸᵀ) = ‖X̃ᵀỸ‖²_F (X̃ the
 * column-centred X), so the [N, N] Gram form is used when N ≤ max D and the [D_a, D_b] cross-covariance form
 * otherwise: both give the same value, and the smaller one keeps a test set of thousands of images cheap at the
 * latent code.
 */
function ckaMatrix(features: readonly tf.Tensor2D[]): number[][] {
  const count = features[0]!.shape[0];
  const widest = Math.max(...features.map((matrix) => matrix.shape[1]));
  const useGram = count <= widest;

  const grams = useGram ? features.map((matrix) => centredGram(matrix)) : [];
  const centred = useGram ? [] : features.map((matrix) => tf.sub(matrix, tf.mean(matrix, 0, true)) as tf.Tensor2D);
  const hsicOf = (a: number, b: number): number =>
    (useGram ? hsic(grams[a]!, grams[b]!) : tf.sum(tf.square(tf.matMul(centred[a]!, centred[b]!, true, false)))).dataSync()[0]!;

  const self = features.map((_, k) => hsicOf(k, k));
  const matrix = features.map(() => new Array<number>(features.length).fill(0));
  for (let a = 0; a < features.length; a++) {
    for (let b = a; b < features.length; b++) {
      // The same clamp as linearCka, so constant features give 0 and not NaN.
      const value = hsicOf(a, b) / Math.sqrt(Math.max(self[a]! * self[b]!, CKA_EPSILON * CKA_EPSILON));
      matrix[a]![b] = value;
      matrix[b]![a] = value;
    }
  }
  return matrix;
}

function validate(members: readonly Backbone[], count: number, tap: number, batchSize: number): void {
  if (members.length === 0) {
    throw new D2ueError('config', 'pairwiseCka: no members were given; pass the trained members of a run.', { subject: 'members' });
  }
  for (const [index, member] of members.entries()) {
    if (!Number.isInteger(tap) || tap < 0 || tap >= member.tapCount) {
      throw new D2ueError(
        'config',
        `pairwiseCka: tap ${describeValue(tap)} is not a feature tap of member ${index} (${member.id} has taps 0..${member.tapCount - 1}). ` +
          'Choose a tap in that range, e.g. repulsion.tap of the run.',
        { subject: 'tap' },
      );
    }
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new D2ueError('config', `pairwiseCka: batchSize must be a positive integer, got ${describeValue(batchSize)}.`, {
      subject: 'batchSize',
    });
  }
  if (count < 2) {
    throw new D2ueError('data', `pairwiseCka: CKA centres features over images and needs at least 2 images, got ${count}.`, {
      subject: 'images',
    });
  }
}
