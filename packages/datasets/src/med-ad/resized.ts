import path from 'node:path';

import { D2ueError } from '@d2ue/core';

import { runConcurrently } from '../concurrency.js';
import { decodeGrey } from '../image/decode.js';
import { resizeBilinear } from '../image/resample.js';
import type { ResizedImages } from './decode-cache.js';
import { fullRange, scaleInto } from './scale.js';

// sharp decodes on libuv's thread pool (4 threads by default); 8 files in flight keep it busy while JavaScript
// resizes the previous ones.
const DECODE_CONCURRENCY = 8;

/**
 * Decodes the images `names` (relative to `folder`) to grey and resizes them to `size` x `size`, keeping each
 * file's bit depth (no scaling yet).
 *
 * @example
 * const images = await decodeResized('/data/rsna/images', ['a.png'], 64);
 * @throws D2ueError `data` listing how many images failed to decode and why, for the first 5 of them.
 */
export async function decodeResized(folder: string, names: readonly string[], size: number): Promise<ResizedImages> {
  const area = size * size;
  const values = new Uint16Array(names.length * area);
  const depths = new Uint8Array(names.length);
  const colour = new Uint8Array(names.length);

  const failures = await runConcurrently(names.length, DECODE_CONCURRENCY, async (index) => {
    const image = await decodeGrey(path.join(folder, names[index]!));
    const resized = resizeBilinear(image.pixels, image.width, image.height, size, size, image.depth);
    values.set(resized, index * area);
    depths[index] = image.depth;
    colour[index] = image.colour ? 1 : 0;
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

  return { size, values, depths, colour };
}

/**
 * Scales resized images to [-1, 1]: `intensityRange`, or each image's full type range (0..255 or 0..65535),
 * maps to -1..1.
 *
 * @example
 * const pixels = scaleResized(images); // Float32Array of images.values.length
 */
export function scaleResized(images: ResizedImages, intensityRange?: readonly [number, number]): Float32Array {
  const area = images.size * images.size;
  const pixels = new Float32Array(images.values.length);

  for (let index = 0; index < images.depths.length; index++) {
    const depth = images.depths[index] === 16 ? 16 : 8;
    const [low, high] = intensityRange ?? fullRange(depth);
    scaleInto(images.values.subarray(index * area, (index + 1) * area), low, high, pixels, index * area);
  }

  return pixels;
}
