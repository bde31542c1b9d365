import path from 'node:path';

import { D2ueError, type ImageSet } from '@d2ue/core';

import { runConcurrently } from '../concurrency.js';
import { decodeGrey } from '../image/decode.js';
import { resizeBilinear } from '../image/resample.js';
import { fullRange, scaleInto } from './scale.js';

// sharp decodes on libuv's thread pool (4 threads by default); 8 files in flight keep it busy while JavaScript
// resizes and scales the previous ones.
const DECODE_CONCURRENCY = 8;

/**
 * Decodes, resizes to `size` x `size` and scales the images `names` (relative to `folder`) into one set.
 * Each image maps `intensityRange` (or its type's full range) to [-1, 1].
 *
 * @example
 * const set = await loadImageSet('/data/rsna/images', ['a.png'], new Uint8Array(1), 64);
 * @throws D2ueError `data` listing how many images failed to decode and why, for the first 5 of them.
 */
export async function loadImageSet(
  folder: string,
  names: readonly string[],
  labels: Uint8Array,
  size: number,
  intensityRange?: readonly [number, number],
): Promise<ImageSet> {
  const area = size * size;
  const pixels = new Float32Array(names.length * area);

  const failures = await runConcurrently(names.length, DECODE_CONCURRENCY, async (index) => {
    const image = await decodeGrey(path.join(folder, names[index]!));
    const resized = resizeBilinear(image.pixels, image.width, image.height, size, size, image.depth);
    const [low, high] = intensityRange ?? fullRange(image.depth);
    scaleInto(resized, low, high, pixels, index * area);
  });

  if (failures.length > 0) {
    const reasons = failures.slice(0, 5).map((failure) => (failure.error as Error).message);
    const more = failures.length > 5 ? ` (and ${failures.length - 5} more)` : '';
    const first = failures[0]!.error;
    if (failures.length === 1 && first instanceof D2ueError) throw first;
    throw new D2ueError('data', `${failures.length} image(s) in ${folder} failed to load${more}:\n${reasons.join('\n')}`, {
      subject: folder,
      cause: first,
    });
  }

  return { ids: names, labels, pixels, size };
}
