/** Input checks shared by the pixel-level metrics (pixel AUROC, AUPRO). */

import { D2ueError, describeValue } from '../errors.js';

/**
 * Checks that `maps` and `masks` pair up one to one, every map value is finite, every mask value is 0 or 1, and both
 * anomalous (1) and normal (0) pixels occur. Returns the number of anomalous pixels.
 *
 * @param metric - The metric's display name, at the start of each message (e.g. `'pixel AUROC'`).
 * @example
 * checkPixelInputs('AUPRO', maps, masks); // 412
 * @throws D2ueError (code `data`) naming the first offending index, or the missing class.
 */
export function checkPixelInputs(metric: string, maps: ArrayLike<number>, masks: ArrayLike<number>): number {
  if (maps.length !== masks.length) {
    throw new D2ueError(
      'data',
      `${metric}: the pixel maps hold ${maps.length} values but the masks hold ${masks.length}; pass one mask value per map pixel, ` +
        'in the same image and row-major order.',
      { subject: 'masks' },
    );
  }

  let positives = 0;
  for (let i = 0; i < maps.length; i++) {
    const value = maps[i] as number;
    if (!Number.isFinite(value)) {
      throw new D2ueError('data', `${metric}: maps[${i}] is ${String(value)}; every pixel map value must be finite. Check the scorer's pixel maps.`, {
        subject: `maps[${i}]`,
      });
    }
    const label = masks[i] as number;
    if (label !== 0 && label !== 1) {
      throw new D2ueError('data', `${metric}: masks[${i}] is ${describeValue(label)}; each mask value must be 0 (normal) or 1 (anomaly).`, {
        subject: `masks[${i}]`,
      });
    }
    positives += label;
  }

  if (positives === 0 || positives === masks.length) {
    const missing = positives === 0 ? 'no mask pixel is 1 (anomaly)' : 'every mask pixel is 1, so no pixel is normal';
    throw new D2ueError(
      'data',
      `${metric}: ${masks.length === 0 ? 'the masks are empty' : missing}; ${metric} needs anomalous and normal pixels. ` +
        'Evaluate on test images whose masks mark their anomalies.',
      { subject: 'masks' },
    );
  }

  return positives;
}
