import * as tf from '@tensorflow/tfjs-core';

import type { ImageSet } from '../contracts/dataset.js';

/** Copies the images at `indices` of `set` into one [B, S, S, 1] tensor. */
export function gatherBatch(set: ImageSet, indices: ArrayLike<number>): tf.Tensor4D {
  const pixels = set.size * set.size;
  const values = new Float32Array(indices.length * pixels);
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i]! * pixels;
    values.set(set.pixels.subarray(start, start + pixels), i * pixels);
  }
  return tf.tensor4d(values, [indices.length, set.size, set.size, 1]);
}

/** Consecutive index ranges [start, end) of at most `batchSize` images covering 0..count-1, the last one partial. */
export function* batchRanges(count: number, batchSize: number): Generator<[number, number]> {
  for (let start = 0; start < count; start += batchSize) yield [start, Math.min(start + batchSize, count)];
}

/** Returns the indices start..end-1. */
export function range(start: number, end: number): Int32Array {
  const indices = new Int32Array(end - start);
  for (let i = 0; i < indices.length; i++) indices[i] = start + i;
  return indices;
}
