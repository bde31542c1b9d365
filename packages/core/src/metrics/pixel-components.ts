/**
 * Connected anomaly regions of pixel masks, the "regions" of the per-region overlap (PRO) metric.
 *
 * Source: MVTec AD evaluation (Bergmann et al., IJCV 2021, "The MVTec Anomaly Detection Dataset"), which labels the
 * ground-truth regions with `scipy.ndimage.label`. d2ue uses 8-connectivity (diagonal neighbours join a region),
 * the same as `scipy.ndimage.label(mask, structure=np.ones((3, 3)))`.
 */

import { D2ueError, describeValue } from '../errors.js';

/** The regions of a stack of masks. */
export interface PixelComponents {
  /** Per pixel, the region index (0-based, numbered image by image in row-major order of first pixel), or -1. */
  readonly labels: Int32Array;

  /** The pixel count of each region. */
  readonly sizes: Int32Array;
}

/**
 * Labels the 8-connected regions of mask value 1 in each `size` x `size` mask; regions never cross images.
 *
 * @param masks - N·size·size values, 0 or 1, image after image, row-major.
 * @example
 * labelComponents(Uint8Array.from([1, 0, 0, 1]), 2).sizes; // Int32Array [2]: the diagonal pixels join
 * @throws D2ueError (code `data`) when the length is not a multiple of size² or a value is not 0 or 1.
 */
export function labelComponents(masks: ArrayLike<number>, size: number): PixelComponents {
  const area = size * size;
  if (!Number.isInteger(size) || size < 1 || masks.length % area !== 0) {
    throw new D2ueError(
      'data',
      `pixel masks: ${masks.length} values are not a whole number of ${describeValue(size)}×${describeValue(size)} masks; ` +
        'pass N·size·size values and the image side as size.',
      { subject: 'masks' },
    );
  }

  const labels = new Int32Array(masks.length).fill(-1);
  const sizes: number[] = [];
  const stack = new Int32Array(area);

  for (let start = 0; start < masks.length; start++) {
    const value = masks[start] as number;
    if (value !== 0 && value !== 1) {
      throw new D2ueError('data', `pixel masks: masks[${start}] is ${describeValue(value)}; each mask value must be 0 or 1.`, {
        subject: `masks[${start}]`,
      });
    }
    if (value !== 1 || labels[start] !== -1) continue;

    // Flood fill from `start` with an explicit stack (a deep recursion would overflow on large regions).
    const region = sizes.length;
    const base = start - (start % area);
    let count = 0;
    let top = 0;
    stack[top++] = start - base;
    labels[start] = region;
    while (top > 0) {
      const at = stack[--top] as number;
      count++;
      const y = Math.floor(at / size);
      const x = at % size;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const ny = y + dy;
          const nx = x + dx;
          if (ny < 0 || ny >= size || nx < 0 || nx >= size) continue;
          const neighbour = base + ny * size + nx;
          if (masks[neighbour] === 1 && labels[neighbour] === -1) {
            labels[neighbour] = region;
            stack[top++] = neighbour - base;
          }
        }
      }
    }
    sizes.push(count);
  }

  return { labels, sizes: Int32Array.from(sizes) };
}
