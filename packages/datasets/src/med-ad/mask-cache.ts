import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { D2ueError, writeFileAtomic } from '@d2ue/core';

import { runConcurrently } from '../concurrency.js';

// Bump when the mask binarisation, resize or threshold changes, so old cache files are not reused.
const MASK_CACHE_VERSION = 1;
const MAGIC = 'D2UEMSK1';
const HASH_CONCURRENCY = 16;

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
  const hashes = new Array<string>(files.length).fill('-');
  const failures = await runConcurrently(files.length, HASH_CONCURRENCY, async (index) => {
    const file = files[index];
    if (file === null || file === undefined) return;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new D2ueError('data', `${file}: cannot read the mask (${(error as Error).message}). Check its permissions.`, {
        subject: file,
        cause: error,
      });
    }
    hashes[index] = createHash('sha256').update(bytes).digest('hex');
  });
  if (failures.length > 0) throw failures[0]!.error;

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
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return null;
  }

  const header = MAGIC.length + 8;
  if (bytes.length !== header + count * size * size || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  if (bytes.readUInt32LE(MAGIC.length) !== count || bytes.readUInt32LE(MAGIC.length + 4) !== size) return null;

  const masks = Uint8Array.from(bytes.subarray(header));
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
  const header = Buffer.alloc(MAGIC.length + 8);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(count, MAGIC.length);
  header.writeUInt32LE(size, MAGIC.length + 4);

  try {
    await mkdir(path.dirname(file), { recursive: true });
  } catch (error) {
    throw new D2ueError('io', `Cannot create the cache folder ${path.dirname(file)}: ${(error as Error).message}`, {
      subject: file,
      cause: error,
    });
  }
  writeFileAtomic(file, Buffer.concat([header, masks]));
}
