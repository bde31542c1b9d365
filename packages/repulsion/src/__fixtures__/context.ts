import * as tf from '@tensorflow/tfjs-core';
import { createRng, uniform, type RepulsionContext, type RepulsionView } from '@d2ue/core';

/** Test helpers: seeded random features and hand-built repulsion contexts (not part of the build). */

/** Creates a seeded [rows, cols] matrix with entries uniform in [low, high). */
export function randomMatrix(rows: number, cols: number, seed: string, low = -1, high = 1): tf.Tensor2D {
  return tf.tensor2d(uniform(rows * cols, low, high, createRng(seed)), [rows, cols]);
}

/** Creates a seeded [B, S, S, 1] batch with entries uniform in [-1, 1). */
export function randomImages(batch: number, size: number, seed: string): tf.Tensor4D {
  return tf.tensor4d(uniform(batch * size * size, -1, 1, createRng(seed)), [batch, size, size, 1]);
}

/** Creates a random orthogonal [n, n] matrix: Q of the QR decomposition of a seeded matrix. */
export function randomOrthogonal(n: number, seed: string): tf.Tensor2D {
  return tf.tidy(() => tf.linalg.qr(randomMatrix(n, n, seed))[0] as tf.Tensor2D);
}

/** Builds a learner's view with features at tap 4 and a reconstruction. */
export function view(features: tf.Tensor2D, reconstruction: tf.Tensor4D): RepulsionView {
  return { features, output: { reconstruction, features: new Map([[4, features]]) } };
}

/** The seeded parts of a context: input, and features and reconstructions of a junior and `seniors` seniors. */
export interface RandomParts {
  readonly input: tf.Tensor4D;
  readonly features: tf.Tensor2D[];
  readonly reconstructions: tf.Tensor4D[];
}

/** Creates random inputs for one junior (index 0) and `seniors` seniors. */
export function randomParts(batch: number, width: number, seniors: number, seed: string, imageSize = 4): RandomParts {
  const learners = seniors + 1;
  return {
    input: randomImages(batch, imageSize, `${seed}/input`),
    features: Array.from({ length: learners }, (_, k) => randomMatrix(batch, width, `${seed}/features/${k}`)),
    reconstructions: Array.from({ length: learners }, (_, k) => randomImages(batch, imageSize, `${seed}/reconstruction/${k}`)),
  };
}

/** Builds the context with learner 0 of `parts` as junior and the others as seniors. */
export function contextOf(parts: RandomParts, junior = parts.features[0]!, juniorReconstruction = parts.reconstructions[0]!): RepulsionContext {
  return {
    input: parts.input,
    junior: view(junior, juniorReconstruction),
    seniors: parts.features.slice(1).map((features, k) => view(features, parts.reconstructions[k + 1]!)),
  };
}

/** The first value of a tensor. */
export const valueOf = (tensor: tf.Tensor): number => tensor.dataSync()[0]!;

/** Whether every entry of `tensor` is finite. */
export const allFinite = (tensor: tf.Tensor): boolean => Array.from(tensor.dataSync()).every(Number.isFinite);
