import * as tf from '@tensorflow/tfjs-core';

import type { Backbone } from '../contracts/backbone.js';
import type { ImageSet } from '../contracts/dataset.js';
import type { UncertaintyScorer } from '../contracts/scorer.js';
import { D2ueError } from '../errors.js';
import { gatherBatch } from '../training/batches.js';
import type { ImageScore } from './evaluate.js';

/** The pixel maps of the highest-scoring images of one scorer, with the images themselves. */
export interface TopAnomalyMaps {
  readonly scorer: string;

  /** The images, highest score first. */
  readonly entries: readonly ImageScore[];

  /** The images in [-1, 1], row-major, image after image, `size` x `size` each. */
  readonly images: Float32Array;

  /** The scorer's pixel maps of the same images, same layout. */
  readonly maps: Float32Array;
  readonly size: number;
}

/**
 * Scores the `k` highest-scoring test images again with pixel maps (evaluation keeps maps only for a test split with
 * masks, to stay cheap).
 * Ties keep the test split's order.
 *
 *
 * @example
 * const top = topAnomalyMaps(scorer, members, data.test, outcome.scores, 8);
 * @throws D2ueError `plugin` when the scorer returns no pixel maps.
 */
export function topAnomalyMaps(
  scorer: UncertaintyScorer,
  members: readonly Backbone[],
  test: ImageSet,
  scores: readonly ImageScore[],
  k: number,
): TopAnomalyMaps {
  const order = scores
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => b.entry.score - a.entry.score || a.index - b.index)
    .slice(0, Math.max(0, k));
  const indices = Int32Array.from(order.map(({ index }) => index));

  const area = test.size * test.size;
  const images = new Float32Array(indices.length * area);
  for (const [slot, index] of indices.entries()) images.set(test.pixels.subarray(index * area, (index + 1) * area), slot * area);

  let maps = new Float32Array(0);
  if (indices.length > 0) {
    const batch = gatherBatch(test, indices);
    const result = scorer.score(members, batch, { pixelMaps: true });
    const pixelMaps = result.pixelMaps?.dataSync();
    tf.dispose([batch, result.imageScores, result.pixelMaps]);
    if (!pixelMaps) {
      throw new D2ueError('plugin', `scorer "${scorer.id}" returned no pixel maps although pixelMaps: true was asked; fix the scorer's score().`, {
        subject: `scorer:${scorer.id}`,
      });
    }
    maps = Float32Array.from(pixelMaps);
  }

  return { scorer: scorer.id, entries: order.map(({ entry }) => entry), images, maps, size: test.size };
}
