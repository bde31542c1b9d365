import type * as tf from '@tensorflow/tfjs-core';

import type { ImageSet } from '../contracts/dataset.js';
import { D2ueError, describeValue } from '../errors.js';
import { aupro } from '../metrics/aupro.js';
import { pixelAuroc } from '../metrics/pixel-auroc.js';

/** Pixel-level metrics of one scorer, or the reason they were left out. */
export type PixelMetrics =
  | { readonly pixelAuroc: number; readonly aupro: number; readonly warning?: undefined }
  | { readonly pixelAuroc?: undefined; readonly aupro?: undefined; readonly warning: string };

/**
 * Copies one batch's pixel maps ([B, S, S, 1]) into `target` at image `start`, checking that the scorer returned them.
 *
 * @example
 * copyPixelMaps('dsu', result.pixelMaps, maps, start, 64);
 * @throws D2ueError `plugin` when the maps are missing or their shape is not [B, size, size, 1].
 */
export function copyPixelMaps(scorer: string, pixelMaps: tf.Tensor4D | undefined, target: Float32Array, start: number, size: number): void {
  if (!pixelMaps) {
    throw new D2ueError('plugin', `scorer "${scorer}" returned no pixel maps although pixelMaps: true was asked; fix the scorer's score().`, {
      subject: `scorer:${scorer}`,
    });
  }
  const [, height, width, channels] = pixelMaps.shape;
  if (height !== size || width !== size || channels !== 1) {
    throw new D2ueError(
      'plugin',
      `scorer "${scorer}" returned pixel maps of shape ${describeValue(pixelMaps.shape)}; expected [B, ${size}, ${size}, 1], one map per image.`,
      { subject: `scorer:${scorer}` },
    );
  }
  target.set(pixelMaps.dataSync(), start * size * size);
}

/**
 * Pixel AUROC and AUPRO of the test split's pixel maps against its masks. When the masks mark no anomaly (or
 * nothing normal) the metrics are undefined, so a warning replaces them instead of failing the evaluation.
 *
 * @example
 * const pixel = pixelMetrics('dsu', maps, test, 0.3);
 * @throws D2ueError `data` when the set has no masks or a map value is not finite.
 */
export function pixelMetrics(scorer: string, maps: Float32Array, test: ImageSet, fprLimit: number): PixelMetrics {
  const masks = test.masks;
  if (!masks) throw new D2ueError('data', 'pixel metrics need the test split\'s masks; load a Med-AD folder with a masks/ folder.', { subject: 'masks' });

  let anomalous = 0;
  for (const value of masks) anomalous += value;
  if (anomalous === 0 || anomalous === masks.length) {
    const what = anomalous === 0 ? 'no pixel as anomalous' : 'every pixel as anomalous';
    return { warning: `${scorer}: the test masks mark ${what}, so pixel AUROC and AUPRO were not computed.` };
  }

  return { pixelAuroc: pixelAuroc(maps, masks), aupro: aupro(maps, masks, test.size, { fprLimit }) };
}
