import { createHash } from 'node:crypto';
import path from 'node:path';

import { cacheHeader, hashFiles, readCacheBody, writeCacheFile } from './cache-file.js';

// Bump when the mask binarisation, resize or threshold changes, so old cache files are not reused.
const MASK_CACHE_VERSION = 1;
const MAGIC = 'D2UEMSK1';

/**
 * Computes the cache key of the resized masks of a test split: SHA-256 over the cache version, the images'
 * decode-cache key and each test image's mask file hash (`-` for none). The decode-cache key covers every image's
 * name and bytes and the size, so a cached mask passed the size check against the same images.
 *
 * @example
 * const key = await maskCacheKey(imageKey, ['/data/brain/masks/a.png', null]);
 * @throws D2ueError `data` naming a mask file that cannot be read.
 */
export async function maskCacheKey(imageKey: string, files: readonly (string | null)[]): Promise<string> {
  const hashes = (await hashFiles(files, 'mask')).map((hash) => hash ?? '-');

  const key = createHash('sha256').update(JSON.stringify({ version: MASK_CACHE_VERSION, images: imageKey }));
  hashes.forEach((hash, index) => key.update(`\n${index}\t${hash}`));
  return key.digest('hex');
}

/** Returns the path of the mask cache file of `key` under the d2ue cache folder. */
export function maskCacheFile(cacheRoot: string, key: string): string {
  return path.join(cacheRoot, 'decoded', `${key.slice(0, 32)}.masks.bin`);
}

/**
 * Reads a file written by {@link writeMaskCache}. Returns null when it is absent, damaged or of another count or size.
 *
 * @example
 * const masks = await readMaskCache(file, 183, 64);
 */
export async function readMaskCache(file: string, count: number, size: number): Promise<Uint8Array | null> {
  const body = await readCacheBody(file, MAGIC, count, size, count * size * size);
  if (body === null) return null;

  const masks = Uint8Array.from(body);
  return masks.every((value) => value <= 1) ? masks : null;
}

/**
 * Writes 0/1 masks atomically: magic, count and size (u32 LE), then one byte per pixel.
 *
 * @example
 * await writeMaskCache(file, masks, 183, 64);
 * @throws D2ueError `io` when the cache folder cannot be written.
 */
export async function writeMaskCache(file: string, masks: Uint8Array, count: number, size: number): Promise<void> {
  await writeCacheFile(file, Buffer.concat([cacheHeader(MAGIC, count, size), masks]));
}
