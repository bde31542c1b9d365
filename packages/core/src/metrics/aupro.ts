/**
 * AUPRO: the normalised area under the per-region overlap (PRO) curve up to a false positive rate limit.
 *
 * Source: MVTec AD (Bergmann et al., IJCV 2021, Sec. 4.2 and its `evaluate_experiment.py`). For a threshold t,
 *   PRO(t) = mean over all anomaly regions C of |{p ∈ C : map(p) >= t}| / |C|,
 *   FPR(t) = |{p normal : map(p) >= t}| / |{p normal}|,
 * where the regions are the 8-connected components of each mask (see {@link labelComponents}) and the normal pixels
 * are the mask-0 pixels of all test images, normal images included. The curve starts at (0, 0); every distinct map
 * value is a threshold, so it is exact (MVTec's script samples a grid instead). AUPRO integrates PRO over FPR from 0
 * to `fprLimit` with the trapezoid rule, interpolating linearly at the limit, and divides by `fprLimit`, so it lies
 * in [0, 1].
 */

import { D2ueError, describeValue } from '../errors.js';
import { checkPixelInputs } from './pixel-checks.js';
import { labelComponents } from './pixel-components.js';

/** The PRO curve over distinct thresholds, highest first, after the leading (0, 0) point. */
export interface ProCurve {
  readonly fpr: Float64Array;
  readonly pro: Float64Array;

  /** The threshold of each point; the leading point has Infinity. */
  readonly thresholds: Float64Array;
}

/** Options of {@link aupro}. */
export interface AuproOptions {
  /** The FPR up to which PRO is integrated, in (0, 1]. Default 0.3, MVTec AD's choice. */
  readonly fprLimit?: number;
}

/**
 * Computes the PRO curve of pixel maps against 0/1 masks of `size` x `size` images.
 *
 * @example
 * proCurve(Float32Array.of(0.9, 0.1, 0.2, 0.8), Uint8Array.of(1, 0, 0, 0), 2).pro; // Float64Array [0, 1, 1, 1, 1]
 * @throws D2ueError (code `data`) for the inputs {@link aupro} rejects.
 */
export function proCurve(maps: ArrayLike<number>, masks: ArrayLike<number>, size: number): ProCurve {
  checkPixelInputs('AUPRO', maps, masks);
  const { labels, sizes } = labelComponents(masks, size);

  // Sort the pixels by descending map value; a run of equal values is one threshold.
  const n = maps.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (maps[b] as number) - (maps[a] as number));

  let negatives = 0;
  for (let i = 0; i < n; i++) if (masks[i] === 0) negatives++;

  // proSum = Σ over regions of the covered fraction: each anomalous pixel adds 1/|its region|.
  const fpr: number[] = [0];
  const pro: number[] = [0];
  const thresholds: number[] = [Infinity];
  let falsePositives = 0;
  let proSum = 0;
  for (let rank = 0; rank < n; rank++) {
    const index = order[rank] as number;
    const region = labels[index] as number;
    if (region === -1) falsePositives++;
    else proSum += 1 / (sizes[region] as number);

    const value = maps[index] as number;
    if (rank === n - 1 || (maps[order[rank + 1] as number] as number) !== value) {
      fpr.push(falsePositives / negatives);
      pro.push(proSum / sizes.length);
      thresholds.push(value);
    }
  }

  return { fpr: Float64Array.from(fpr), pro: Float64Array.from(pro), thresholds: Float64Array.from(thresholds) };
}

/**
 * Normalised area under the PRO curve from FPR 0 to `fprLimit`; 1 means every region is fully found before any
 * normal pixel passes the threshold.
 *
 * @param maps - The pixel maps of all test images, image after image, row-major (higher = more anomalous).
 * @param masks - The 0/1 masks in the same order; normal images have all-zero masks.
 * @param size - The side of each (square) image.
 * @returns A value in [0, 1].
 * @example
 * aupro(maps, masks, 64, { fprLimit: 0.3 }); // e.g. 0.71
 * @throws D2ueError (code `config`) for a limit outside (0, 1].
 * @throws D2ueError (code `data`) when the lengths differ or do not make whole images, a map value is not finite, a
 *   mask value is not 0 or 1, or no pixel is anomalous or normal.
 */
export function aupro(maps: ArrayLike<number>, masks: ArrayLike<number>, size: number, { fprLimit = 0.3 }: AuproOptions = {}): number {
  if (!(fprLimit > 0 && fprLimit <= 1)) {
    throw new D2ueError('config', `AUPRO: fprLimit is ${describeValue(fprLimit)}; it must be in (0, 1], e.g. 0.3.`, { subject: 'fprLimit' });
  }

  const curve = proCurve(maps, masks, size);

  // Trapezoid rule over the points with FPR <= limit, then the part of the next segment up to the limit.
  let area = 0;
  for (let i = 1; i < curve.fpr.length; i++) {
    const f0 = curve.fpr[i - 1] as number;
    const p0 = curve.pro[i - 1] as number;
    const f1 = curve.fpr[i] as number;
    const p1 = curve.pro[i] as number;
    if (f1 <= fprLimit) {
      area += ((f1 - f0) * (p0 + p1)) / 2;
      continue;
    }
    const atLimit = p0 + ((p1 - p0) * (fprLimit - f0)) / (f1 - f0);
    area += ((fprLimit - f0) * (p0 + atLimit)) / 2;
    break;
  }

  return area / fprLimit;
}
